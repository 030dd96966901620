import Foundation
import Testing

/// `clusterdns explain`: the answer, where each record came from, and why a name is missing.
@Suite("clusterdns explain")
struct ExplainEndToEndTests {
    static let golden = CommandRunner.packageRoot.appendingPathComponent("Tests/ExplainGolden")

    /// `Tests/ExplainGolden/commands` run against the zones/ example must print
    /// `Tests/ExplainGolden/expected.txt` exactly (`make golden` rewrites it).
    @Test func goldenExplanationsOfTheExample() throws {
        let commands = try String(contentsOf: Self.golden.appendingPathComponent("commands"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        #expect(commands.count > 10)
        var text = ""
        for command in commands {
            let output = try CommandRunner.clusterdns(command.split(separator: " ").map(String.init))
            #expect(output.stderr.isEmpty, "\(command): \(output.stderr)")
            text += "$ clusterdns \(command)\n\(output.stdout)(exit \(output.status))\n\n"
        }
        let expected = try String(contentsOf: Self.golden.appendingPathComponent("expected.txt"), encoding: .utf8)
        #expect(text == expected)
    }

    @Test func zoneFileRecordsNotReadyEndpointsRejectedServicesAndExternalNames() throws {
        let directory = try WatchEndToEndTests.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        try WatchEndToEndTests.write(
            "$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 10.0.0.53\ndb A 10.0.0.10\nwww CNAME db\n",
            to: directory.appendingPathComponent("corp.internal.zone"))
        try WatchEndToEndTests.write(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: lonely, namespace: dev}
            spec: {clusterIP: None, selector: {app: lonely}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: lonely-0, namespace: dev, labels: {app: lonely}}
            status: {podIP: 10.244.77.1, conditions: [{type: Ready, status: "False"}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: broken, namespace: dev}
            spec: {type: NodePort, ports: [{port: 80, nodePort: 99999}]}

            """, to: directory.appendingPathComponent("extra.yaml"))
        func explain(_ arguments: [String]) throws -> CommandRunner.Output {
            try CommandRunner.clusterdns(["explain"] + arguments + ["--manifests", directory.path])
        }

        let chain = try explain(["www.corp.internal"])
        #expect(chain.status == 0)
        #expect(chain.stdout.contains("www.corp.internal.\t60\tIN\tCNAME\tdb.corp.internal.\n    from \(directory.path)/corp.internal.zone:6"), "\(chain.stdout)")
        #expect(chain.stdout.contains("db.corp.internal.\t60\tIN\tA\t10.0.0.10\n    from \(directory.path)/corp.internal.zone:5"), "\(chain.stdout)")

        let lonely = try explain(["lonely.dev.svc.cluster.local"])
        #expect(lonely.status == 1)
        #expect(
            lonely.stdout.contains(
                "why: Service dev/lonely (\(directory.path)/extra.yaml:1) is headless and has no ready endpoints; not published: 10.244.77.1 (Pod dev/lonely-0 (\(directory.path)/extra.yaml:6)), not ready"),
            "\(lonely.stdout)")

        let broken = try explain(["broken.dev.svc.cluster.local"])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("why: Service dev/broken was rejected: \(directory.path)/extra.yaml:"), "\(broken.stdout)")
        #expect(broken.stdout.contains("nodePort"), "\(broken.stdout)")

        let malformed = try CommandRunner.clusterdns(["explain", "a..b"])
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("is not a domain name"))
        let badType = try CommandRunner.clusterdns(["explain", "x.cluster.local", "NOTATYPE"])
        #expect(badType.status == 2)

        let external = try CommandRunner.clusterdns([
            "explain", "web.prod.example.org", "--manifests", ExternalZoneEndToEndTests.scenario.path, "--external-zone", "example.org",
        ])
        #expect(external.status == 0)
        #expect(external.stdout.contains("Service prod/web (\(ExternalZoneEndToEndTests.scenario.path)/lb.yaml:"), "\(external.stdout)")
        let host = try CommandRunner.clusterdns([
            "explain", "shop.example.org", "--manifests", ExternalZoneEndToEndTests.scenario.path, "--external-zone", "example.org",
        ])
        #expect(host.stdout.contains("from Ingress prod/shop (\(ExternalZoneEndToEndTests.scenario.path)/lb.yaml:"), "\(host.stdout)")
    }
}
