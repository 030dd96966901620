import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One manifest, or one change to the tree, must never take the process, its memory or the good
/// data: each test names the rule it checks.
@Suite("Hostile manifests and trees", .serialized)
struct HostileManifestTests {
    static func tree(_ files: [String: String]) throws -> URL {
        let directory = try CommandRunner.temporaryDirectory()
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return directory
    }

    static let goodService = """
        apiVersion: v1
        kind: Service
        metadata: {name: good, namespace: dev}
        spec: {clusterIP: 10.96.7.7, ports: [{port: 80}]}
        """

    static func deployment(replicas: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: bomb, namespace: dev}
        spec:
          replicas: \(replicas)
          selector: {matchLabels: {app: bomb}}
          template:
            metadata: {labels: {app: bomb}}
            spec: {containers: [{name: c}]}
        """
    }

    /// `replicas` is an int32 (apps/v1); synthesized pods are capped per workload and in all
    /// (`--max-synthesized-pods`): past the cap the workload is an error and gets no pods, and
    /// the rest is served.
    @Test func aReplicasBombIsAnErrorAndTheRestIsServed() throws {
        let directory = try Self.tree([
            "good.yaml": Self.goodService, "bomb.yaml": Self.deployment(replicas: "100000000000000"),
            "int32.yaml": Self.deployment(replicas: "2147483647").replacingOccurrences(of: "name: bomb", with: "name: big"),
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let check = try CommandRunner.clusterdns(["check", directory.path], timeout: 30)
        #expect(check.status == 1)
        #expect(check.stderr.contains("bomb.yaml:5:13: error: Deployment dev/bomb: spec.replicas must be 0 to 2147483647 (an int32), got 100000000000000"))
        #expect(check.stderr.contains("int32.yaml:5:13: error: Deployment dev/big: spec.replicas 2147483647 is more pods than --max-synthesized-pods 100000 allows; it gets no pods"))
        // With a lower cap, two workloads that each fit but not together: the second is refused.
        let pair = try Self.tree([
            "a.yaml": Self.deployment(replicas: "3"),
            "b.yaml": Self.deployment(replicas: "3").replacingOccurrences(of: "name: bomb", with: "name: second"),
        ])
        defer { try? FileManager.default.removeItem(at: pair) }
        let capped = try CommandRunner.clusterdns(["check", pair.path, "--max-synthesized-pods", "4"])
        #expect(capped.status == 1)
        #expect(capped.stderr.contains("Deployment dev/second: spec.replicas 3 would take the pods synthesized past --max-synthesized-pods 4 (3 already)"))
        // serve starts, answers the rest, and counts the refusals.
        let server = try ServerProcess(["--manifests", directory.path, "--http", "127.0.0.1:0"])
        defer { server.stop() }
        #expect(try server.dig(["+short", "good.dev.svc.cluster.local"]) == "10.96.7.7\n")
        let port = try #require(OperationsEndToEndTests.httpPort(server))
        let metrics = HTTPClient.request(port: port, path: "/metrics")?.body ?? ""
        #expect(metrics.contains("clusterdns_limit_reached_total{limit=\"max-synthesized-pods\"} 1"))
    }

    /// Nothing that cannot fit in a 65,535-byte message is compiled (RFC 1035 §4.2.2): a headless
    /// Service with 70,000 ready endpoints (valid Kubernetes) answers what fits, TC over UDP, and a
    /// warning names the Service.
    @Test func aHugeRRsetAnswersWhatFits() throws {
        var slices: [String] = []
        for slice in 0..<70 {
            var endpoints = ""
            for index in 0..<1000 {
                let value = slice * 1000 + index
                endpoints += "  - addresses: [\"10.\(200 + value / 65536).\(value / 256 % 256).\(value % 256)\"]\n"
            }
            slices.append(
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: big-\(slice)\n  namespace: dev\n"
                    + "  labels: {kubernetes.io/service-name: big}\naddressType: IPv4\nendpoints:\n" + endpoints)
        }
        let directory = try Self.tree([
            "big.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: big, namespace: dev}\nspec: {clusterIP: None}\n",
            "slices.yaml": slices.joined(separator: "---\n"), "good.yaml": Self.goodService,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let check = try CommandRunner.clusterdns(["check", directory.path], timeout: 120)
        #expect(check.status == 0)
        #expect(check.stderr.contains("big.yaml:3:18: warning: Service dev/big: 70000 published endpoint addresses are more than one DNS message (65,535 bytes) can list"))
        let server = try ServerProcess(["--manifests", directory.path], timeout: 120)
        defer { server.stop() }
        let udp = try server.dig(["+ignore", "big.dev.svc.cluster.local"])
        #expect(udp.contains(" tc"))
        let tcp = try server.dig(["+tcp", "big.dev.svc.cluster.local"])
        #expect(tcp.contains("status: NOERROR"))
        #expect(!tcp.contains(" tc"))
        let answers = tcp.split(separator: "\n").filter { $0.contains("\tA\t") }.count
        #expect(answers > 3000 && answers < 70000, "\(answers) A records in one message")
        #expect(try server.dig(["+short", "good.dev.svc.cluster.local"]) == "10.96.7.7\n")
    }

    /// A name longer than 255 octets (RFC 1035 §2.3.4) is never cut or dropped to fit, which
    /// would merge two names: it is a diagnostic, and that record is left out.
    @Test func namesThatDoNotFitUnderALongDomainAreLeftOutNotMerged() throws {
        // 4 labels of 60: a 245-octet domain; "<ns>.svc." fits, a 40-character service does not.
        let domain = (0..<4).map { _ in String(repeating: "d", count: 59) }.joined(separator: ".")
        let long = String(repeating: "a", count: 40)
        let directory = try Self.tree([
            "a.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: \(long)-one, namespace: x}\nspec: {clusterIP: 10.96.0.21, ports: [{port: 80}]}\n",
            "b.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: \(long)-two, namespace: x}\nspec: {clusterIP: 10.96.0.22, ports: [{port: 80}]}\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let dump = try CommandRunner.clusterdns(["dump", directory.path, "--domain", domain])
        #expect(dump.status == 0)
        #expect(dump.stderr.contains("warning: Service x/\(long)-one: \(long)-one.x.svc.\(domain). would be longer than 255 octets"))
        #expect(dump.stderr.contains("warning: Service x/\(long)-two: "))
        #expect(!dump.stdout.contains("\tA\t10.96.0.21\n"), "no record at a shortened name")
        #expect(!dump.stdout.contains("\tA\t10.96.0.22\n"))
        let check = try CommandRunner.clusterdns(["check", directory.path, "--domain", domain])
        #expect(check.stderr.contains("would be longer than 255 octets"))
        let tooLong = try CommandRunner.clusterdns(["dump", directory.path, "--domain", domain + ".eeeeee"])
        #expect(tooLong.status == 2)
        #expect(tooLong.stderr.contains("is too long"))
    }

    /// `rm -rf dir; mkdir dir; cp ...`: while the root is missing nothing is removed, the watch
    /// comes back on the new directory, and no name present before and after goes NXDOMAIN.
    @Test func aRootRemovedAndMadeAgainNeverBlanksTheZone() throws {
        let source = try WatchEndToEndTests.copyOfExample()
        defer { try? FileManager.default.removeItem(at: source) }
        let parent = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = parent.appendingPathComponent("manifests")
        try FileManager.default.copyItem(at: source, to: root)
        let server = try ServerProcess(["--manifests", root.path])
        defer { server.stop() }
        let name = "service-clusterip.dev.svc.cluster.local"
        #expect(try server.dig(["+short", name]) == "10.97.97.97\n")

        // Removed: still served, however long it stays away.
        let removed = try CommandRunner.run("/bin/rm", ["-rf", root.path])
        #expect(removed.status == 0)
        usleep(300_000)
        #expect(try server.dig(["+short", name]) == "10.97.97.97\n")

        // Made again and filled by a copy, while a client keeps asking.
        let stop = Atomic(false)
        let answers = Mutex<[String]>([])
        let port = server.port
        let asker = Thread {
            let deadline = Date().addingTimeInterval(20)
            while !stop.load(ordering: .relaxed), Date() < deadline {
                let reply = RawDNSClient.udp(RawDNSClient.query(name), port: port, timeout: 1)
                answers.withLock { $0.append(reply.map { $0[3] & 0x0F == 0 && $0[7] == 1 ? "ok" : "rcode \($0[3] & 0x0F)" } ?? "lost") }
                usleep(2_000)
            }
        }
        asker.start()
        let script = "mkdir \(root.path) && sleep 0.1 && cp \(source.path)/service-clusterip.yaml \(root.path)/ && sleep 0.1 && cp \(source.path)/* \(root.path)/"
        #expect(try CommandRunner.run("/bin/sh", ["-c", script]).status == 0)
        usleep(2_500_000)
        stop.store(true, ordering: .relaxed)
        while asker.isExecuting || !asker.isFinished { usleep(10_000) }
        let seen = answers.withLock { $0 }
        #expect(seen.count > 50)
        #expect(seen.allSatisfy { $0 == "ok" }, "\(Set(seen))")
        // The new directory is watched: an edit shows.
        try "apiVersion: v1\nkind: Service\nmetadata: {name: service-clusterip, namespace: dev}\nspec: {clusterIP: 10.97.97.98, ports: [{port: 80}]}\n"
            .write(to: root.appendingPathComponent("service-clusterip.yaml"), atomically: true, encoding: .utf8)
        #expect(WatchEndToEndTests.eventually("10.97.97.98\n") { (try? server.dig(["+short", name])) ?? "" } == "10.97.97.98\n")
    }

    /// Only files whose real path lies under the root are read; a link out of it gets a
    /// diagnostic that names the link and never quotes what it leads to.
    @Test func symlinksOutOfTheTreeAreRefusedWithoutQuotingTheTarget() throws {
        let outside = try Self.tree([
            "secret.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: leaked, namespace: dev}\nspec: {clusterIP: 10.96.9.9, ports: [{port: 80}]}\n# topsecret: hunter2\n",
            "folder/inner.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: leaked-too, namespace: dev}\nspec: {ports: [{port: 80}]}\n",
        ])
        defer { try? FileManager.default.removeItem(at: outside) }
        let directory = try Self.tree(["good.yaml": Self.goodService, "data/ok.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: inside}\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("escape.yaml").path, withDestinationPath: outside.appendingPathComponent("secret.yaml").path)
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("elsewhere").path, withDestinationPath: outside.appendingPathComponent("folder").path)
        // A ConfigMap-style link inside the tree is followed as before.
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("linked.yaml").path, withDestinationPath: "data/ok.yaml")
        let check = try CommandRunner.clusterdns(["check", directory.path])
        #expect(check.status == 1)
        #expect(check.stderr.contains("\(directory.path)/escape.yaml:1:1: error: not read: a symlink to a path outside the manifest directory"))
        #expect(check.stderr.contains("\(directory.path)/elsewhere:1:1: error: not read: a symlink to a path outside the manifest directory"))
        #expect(!check.stderr.contains("hunter2") && !check.stderr.contains("leaked"))
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        #expect(try server.dig(["+short", "good.dev.svc.cluster.local"]) == "10.96.7.7\n")
        #expect(try server.dig(["leaked.dev.svc.cluster.local"]).contains("status: NXDOMAIN"))
        #expect(try server.dig(["leaked-too.dev.svc.cluster.local"]).contains("status: NXDOMAIN"))
        #expect(!server.log.contains("hunter2"))
    }

    /// A newline in a label must not forge a log record: names in text logs are escaped as dig
    /// prints them (`\010`).
    @Test func aNewlineInAQueryNameCannotForgeALogLine() throws {
        let server = try ServerProcess(["--manifests", "zones", "--query-log"])
        defer { server.stop() }
        var query = RawDNSClient.query("x.dev.svc.cluster.local")
        // Replace the label "x" by "a\nFORGED" (8 octets).
        let label: [UInt8] = [8, 0x61, 0x0A] + Array("FORGED".utf8)
        query.replaceSubrange(12..<14, with: label)
        #expect(RawDNSClient.udp(query, port: server.port, timeout: 2) != nil)
        let logged = WatchEndToEndTests.eventually(true) { server.log.contains("a\\010FORGED") }
        #expect(logged)
        #expect(!server.log.split(separator: "\n").contains { $0.hasPrefix("FORGED") })
    }
}
