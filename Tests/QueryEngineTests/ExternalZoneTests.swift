import ClusterModel
import DNSWire
import Foundation
import IPAddressing
import LDNSTestSupport
import Manifests
import QueryEngine
import Testing
import ZoneCompiler

/// `--external-zone`: Services' external addresses and Ingress hosts, as k8s_external answers.
@Suite("External zones: LoadBalancer, externalIPs, headless, Ingress")
struct ExternalZoneTests {
    static let cluster: Cluster = {
        var web = ClusterService(namespace: "prod", name: "web", type: .loadBalancer, clusterIPs: [ip("10.96.7.7")])
        web.externalAddresses = [ip("203.0.113.10"), ip("2001:db8::10")]
        var elb = ClusterService(namespace: "prod", name: "elb", type: .loadBalancer, clusterIPs: [ip("10.96.7.8")])
        elb.externalHostnames = ["a1b2.elb.example.net"]
        var ext = ClusterService(namespace: "prod", name: "ext", clusterIPs: [ip("10.96.7.9")])
        ext.externalAddresses = [ip("198.51.100.7")]
        let plain = ClusterService(namespace: "prod", name: "plain", clusterIPs: [ip("10.96.7.10")])
        let db = ClusterService(
            namespace: "prod", name: "db", isHeadless: true,
            endpoints: [
                ClusterEndpoint(addresses: [ip("10.244.1.1")], hostname: "db-0", isReady: true),
                ClusterEndpoint(addresses: [ip("10.244.1.2")], hostname: "db-1", isReady: false),
            ])
        let ingresses = [
            ClusterIngress(namespace: "prod", name: "shop", hosts: ["shop.example.org", "web.prod.example.org", "api.other.test"], addresses: [ip("203.0.113.20")]),
            ClusterIngress(namespace: "prod", name: "cdn", hosts: ["cdn.example.org"], hostnames: ["edge.cdn.example.net"]),
        ]
        return Cluster(namespaces: ["prod"], services: [web, elb, ext, plain, db], ingresses: ingresses)
    }()

    static let snapshot: RecordSnapshot = {
        var options = referenceOptions
        options.externalZones = [name("example.org.")]
        return RecordSnapshot.build(cluster, options: options)
    }()

    static func answer(_ qname: String, _ type: RRType) -> (rcode: Int?, answer: [String]) {
        let reply = ask(qname, type, snapshot: Self.snapshot)
        return (reply?.rcode, (reply?.answer ?? []).map { $0.replacingOccurrences(of: "\tIN\t", with: " ").replacingOccurrences(of: "\t", with: " ") })
    }

    @Test(
        arguments: [
            // A LoadBalancer's addresses; an Ingress naming the same host adds its own.
            ("web.prod.example.org.", RRType.a, 0, ["web.prod.example.org. 5 A 203.0.113.10", "web.prod.example.org. 5 A 203.0.113.20"]),
            ("web.prod.example.org.", .aaaa, 0, ["web.prod.example.org. 5 AAAA 2001:db8::10"]),
            // A load balancer known by name only: a CNAME to it (the chain leaves our zones).
            ("elb.prod.example.org.", .a, 0, ["elb.prod.example.org. 5 CNAME a1b2.elb.example.net."]),
            ("ext.prod.example.org.", .a, 0, ["ext.prod.example.org. 5 A 198.51.100.7"]),
            // No external address: not in the zone.
            ("plain.prod.example.org.", .a, 3, []),
            // Headless: the published endpoints, and each by its hostname.
            ("db.prod.example.org.", .a, 0, ["db.prod.example.org. 5 A 10.244.1.1"]),
            ("db-0.db.prod.example.org.", .a, 0, ["db-0.db.prod.example.org. 5 A 10.244.1.1"]),
            ("db-1.db.prod.example.org.", .a, 3, []),
            ("shop.example.org.", .a, 0, ["shop.example.org. 5 A 203.0.113.20"]),
            ("cdn.example.org.", .a, 0, ["cdn.example.org. 5 CNAME edge.cdn.example.net."]),
            ("example.org.", .ns, 0, ["example.org. 5 NS ns.dns.example.org."]),
            ("nothing.example.org.", .a, 3, []),
        ])
    func answers(qname: String, type: RRType, rcode: Int, expected: [String]) {
        let (replyCode, answer) = Self.answer(qname, type)
        #expect(replyCode == rcode)
        #expect(answer.sorted() == expected.sorted())
    }

    @Test func theApexHasAnSOAAndIngressHostsOutsideEveryZoneAreCounted() {
        let reply = ask("example.org.", .soa, snapshot: Self.snapshot)
        #expect(reply?.aa == true)
        #expect(reply?.answer.first?.contains("SOA ns.dns.example.org. hostmaster.example.org.") == true, "\(String(describing: reply?.answer))")
        #expect(Self.snapshot.problems.contains("Ingress prod/shop: host api.other.test is outside every --external-zone"))
    }

    @Test func aChangedNamespaceChangesItsExternalNames() {
        var options = referenceOptions
        options.externalZones = [name("example.org.")]
        var builder = SnapshotBuilder(options: options)
        _ = builder.build(Self.cluster, serial: 1)
        var changed = Self.cluster
        changed.partitions["prod"]?.ingresses = []
        let snapshot = builder.build(changed, serial: 2, changed: ["prod"])
        #expect(ask("shop.example.org.", .a, snapshot: snapshot)?.rcode == 3)
        #expect(ask("web.prod.example.org.", .a, snapshot: snapshot)?.answer.count == 1)
    }
}
