import Foundation
import Testing

/// `--external-zone`: Services' load balancer and external addresses and Ingress hosts, served
/// and followed live; `check` warns of hosts outside every zone.
@Suite("External zones: LoadBalancer, externalIPs and Ingress names", .serialized)
struct ExternalZoneEndToEndTests {
    static let scenario = CommandRunner.packageRoot.appendingPathComponent("Tests/Scenarios/external-zones/manifests")

    static func copyOfScenario() throws -> URL {
        let directory = try CommandRunner.temporaryDirectory()
        try FileManager.default.copyItem(
            at: Self.scenario.appendingPathComponent("lb.yaml"), to: directory.appendingPathComponent("lb.yaml"))
        return directory
    }

    @Test func externalNamesAreServedAndFollowTheManifests() throws {
        let directory = try Self.copyOfScenario()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(["--manifests", directory.path, "--external-zone", "example.org"])
        defer { server.stop() }

        let reply = try server.dig(["+norec", "web.prod.example.org", "A"])
        #expect(reply.contains("status: NOERROR") && reply.contains("flags: qr aa;"), "\(reply)")
        #expect(try server.records("web.prod.example.org", "A") == ["web.prod.example.org. 5 IN A 203.0.113.10"])
        #expect(try server.records("web.prod.example.org", "AAAA") == ["web.prod.example.org. 5 IN AAAA 2001:db8::10"])
        #expect(try server.records("elb.prod.example.org", "A") == ["elb.prod.example.org. 5 IN CNAME a1b2.elb.amazonaws.com."])
        #expect(try server.records("db-0.db.prod.example.org", "A") == ["db-0.db.prod.example.org. 5 IN A 10.244.9.1"])
        let missing = try server.dig(["+norec", "plain.prod.example.org", "A"])
        #expect(missing.contains("status: NXDOMAIN"), "\(missing)")
        #expect(try server.records("example.org", "SOA").first?.contains("SOA ns.dns.example.org. hostmaster.example.org.") == true)

        // An Ingress applied later is served once the file is in place.
        try WatchEndToEndTests.write(
            """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: blog, namespace: prod}
            spec: {rules: [{host: blog.example.org}]}
            status: {loadBalancer: {ingress: [{ip: 203.0.113.30}]}}

            """, to: directory.appendingPathComponent("blog.yaml"))
        let expected = ["blog.example.org. 5 IN A 203.0.113.30"]
        #expect(WatchEndToEndTests.eventually(expected) { (try? server.records("blog.example.org", "A")) ?? [] } == expected)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("blog.yaml"))
        #expect(
            WatchEndToEndTests.eventually(true) {
                ((try? server.dig(["+norec", "blog.example.org", "A"])) ?? "").contains("status: NXDOMAIN")
            })
    }

    @Test func checkWarnsOfHostsOutsideEveryZoneAndRefusesAZoneInsideTheClusterZone() throws {
        let directory = try Self.copyOfScenario()
        defer { try? FileManager.default.removeItem(at: directory) }
        try WatchEndToEndTests.write(
            """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: other, namespace: prod}
            spec: {rules: [{host: api.other.test}]}

            """, to: directory.appendingPathComponent("other.yaml"))
        let check = try CommandRunner.clusterdns(["check", directory.path, "--external-zone", "example.org"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.contains("warning: Ingress prod/other: host api.other.test is outside every --external-zone"), "\(check.stderr)")
        #expect(check.stdout.contains("0 errors, 1 warning"), "\(check.stdout)")

        let inside = try CommandRunner.clusterdns(["check", directory.path, "--external-zone", "ext.cluster.local"])
        #expect(inside.status == 2)
        #expect(inside.stderr.contains("--external-zone ext.cluster.local lies in the cluster zone cluster.local."), "\(inside.stderr)")
    }
}
