import Foundation
import Glibc
import Testing

/// Manifest changes show in answers without a restart; bad edits never blank what is served.
/// Every wait is a poll with a deadline.
@Suite("Live reload of the manifest directory", .serialized)
struct WatchEndToEndTests {
    /// Polls `probe` every 20 ms for at most `timeout` seconds until it returns `expected`.
    @discardableResult
    static func eventually<T: Equatable>(
        _ expected: T, timeout: TimeInterval = 10, _ probe: () throws -> T
    ) rethrows -> T {
        let deadline = Date().addingTimeInterval(timeout)
        var last = try probe()
        while last != expected, Date() < deadline {
            usleep(20_000)
            last = try probe()
        }
        return last
    }

    static func copyOfExample() throws -> URL {
        let directory = try CommandRunner.temporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: CommandRunner.packageRoot.appendingPathComponent("zones").path) {
            try FileManager.default.copyItem(
                at: CommandRunner.packageRoot.appendingPathComponent("zones/\(name)"),
                to: directory.appendingPathComponent(name))
        }
        return directory
    }

    static func write(_ text: String, to url: URL) throws {
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    @Test func externalNameChangesAndBecomesClusterIP() throws {
        // What the Kubernetes e2e DNS test does with an ExternalName service.
        let directory = try Self.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        let name = "service-external.dev.svc.cluster.local"
        let file = directory.appendingPathComponent("service-external.yaml")
        try Self.write(
            "apiVersion: v1\nkind: Service\nmetadata: {name: service-external, namespace: dev}\nspec: {type: ExternalName, externalName: bar.example.com}\n",
            to: file)
        #expect(try Self.eventually(["bar.example.com."]) { try server.dig(["+short", name]).split(separator: "\n").map(String.init) } == ["bar.example.com."])
        try Self.write(
            "apiVersion: v1\nkind: Service\nmetadata: {name: service-external, namespace: dev}\nspec: {type: ClusterIP, clusterIP: 10.96.44.44, ports: [{name: http, port: 80}]}\n",
            to: file)
        #expect(try Self.eventually(["\(name). 5 IN A 10.96.44.44"]) { try server.records(name, "A") } == ["\(name). 5 IN A 10.96.44.44"])
        #expect(try server.records(name, "CNAME").isEmpty)
    }

    @Test func scalingADeploymentChangesTheHeadlessAnswer() throws {
        let directory = try Self.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        let name = "service-headliness.dev.svc.cluster.local"
        #expect(try server.records(name, "A").count == 3)
        let file = directory.appendingPathComponent("deployment.yaml")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "replicas: 3", with: "replicas: 5")
        try Self.write(text, to: file)
        #expect(try Self.eventually(5) { try server.records(name, "A").count } == 5)
    }

    @Test func newSubdirectoryDeleteRenameAndSymlinkSwap() throws {
        let directory = try Self.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        func service(_ name: String, _ ip: String) -> String {
            "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: dev}\nspec: {clusterIP: \(ip), ports: [{port: 80}]}\n"
        }
        // A new file in a new subdirectory.
        let nested = directory.appendingPathComponent("team/api")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try Self.write(service("api", "10.96.1.1"), to: nested.appendingPathComponent("api.yaml"))
        #expect(try Self.eventually("10.96.1.1\n") { try server.dig(["+short", "api.dev.svc.cluster.local"]) } == "10.96.1.1\n")
        // Save by rename (what editors and kubectl-style tools do).
        let temporary = nested.appendingPathComponent(".api.yaml.swp")
        try Self.write(service("api", "10.96.1.2"), to: temporary)
        #expect(rename(temporary.path, nested.appendingPathComponent("api.yaml").path) == 0)
        #expect(try Self.eventually("10.96.1.2\n") { try server.dig(["+short", "api.dev.svc.cluster.local"]) } == "10.96.1.2\n")
        // Delete the file: the name goes away.
        try FileManager.default.removeItem(at: nested.appendingPathComponent("api.yaml"))
        #expect(try Self.eventually(true) { try server.dig(["api.dev.svc.cluster.local"]).contains("NXDOMAIN") })
        // Remove a whole directory with a file in it.
        try Self.write(service("gone", "10.96.1.3"), to: nested.appendingPathComponent("gone.yaml"))
        #expect(try Self.eventually("10.96.1.3\n") { try server.dig(["+short", "gone.dev.svc.cluster.local"]) } == "10.96.1.3\n")
        try FileManager.default.removeItem(at: directory.appendingPathComponent("team"))
        #expect(try Self.eventually(true) { try server.dig(["gone.dev.svc.cluster.local"]).contains("NXDOMAIN") })

        // ConfigMap-style: files are symlinks through ..data, which is swapped to a new folder.
        let v1 = directory.appendingPathComponent("..2026_01")
        try FileManager.default.createDirectory(at: v1, withIntermediateDirectories: true)
        try Self.write(service("cm", "10.96.2.1"), to: v1.appendingPathComponent("cm.yaml"))
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("..data").path, withDestinationPath: "..2026_01")
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("cm.yaml").path, withDestinationPath: "..data/cm.yaml")
        #expect(try Self.eventually("10.96.2.1\n") { try server.dig(["+short", "cm.dev.svc.cluster.local"]) } == "10.96.2.1\n")
        let v2 = directory.appendingPathComponent("..2026_02")
        try FileManager.default.createDirectory(at: v2, withIntermediateDirectories: true)
        try Self.write(service("cm", "10.96.2.2"), to: v2.appendingPathComponent("cm.yaml"))
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("..data_tmp").path, withDestinationPath: "..2026_02")
        #expect(rename(directory.appendingPathComponent("..data_tmp").path, directory.appendingPathComponent("..data").path) == 0)
        #expect(try Self.eventually("10.96.2.2\n") { try server.dig(["+short", "cm.dev.svc.cluster.local"]) } == "10.96.2.2\n")
    }

    @Test func invalidYAMLKeepsTheOldAnswersUntilFixed() throws {
        let directory = try Self.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        let file = directory.appendingPathComponent("service-clusterip.yaml")
        let good = try String(contentsOf: file, encoding: .utf8)
        try Self.write("apiVersion: v1\nkind: Service\nmetadata:\n  name: service-clusterip\n  namespace: dev\nspec: {ports: [\n", to: file)
        #expect(Self.eventually(true) { server.log.contains("service-clusterip.yaml:7:1: error: not valid YAML") })
        #expect(try server.dig(["+short", "service-clusterip.dev.svc.cluster.local"]) == "10.97.97.97\n")
        try Self.write(good.replacingOccurrences(of: "10.97.97.97", with: "10.97.97.98"), to: file)
        #expect(try Self.eventually("10.97.97.98\n") { try server.dig(["+short", "service-clusterip.dev.svc.cluster.local"]) } == "10.97.97.98\n")
    }

    @Test func serialGrowsWithEveryPublicationAndSighupReloads() throws {
        let directory = try Self.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        func serial() throws -> UInt32 {
            let answer = try server.dig(["+short", "SOA", "cluster.local"])
            return UInt32(answer.split(separator: " ").dropFirst(2).first ?? "") ?? 0
        }
        let first = try serial()
        #expect(first > 0)
        let file = directory.appendingPathComponent("service-clusterip.yaml")
        let good = try String(contentsOf: file, encoding: .utf8)
        try Self.write(good.replacingOccurrences(of: "10.97.97.97", with: "10.97.97.99"), to: file)
        #expect(try Self.eventually(true) { try serial() == first &+ 1 })
        kill(server.process.processIdentifier, SIGHUP)
        #expect(try Self.eventually(true) { try serial() == first &+ 2 })
        #expect(server.log.contains("SIGHUP: full reload"))
    }

    @Test func rapidRewritesNeverServeAHalfWrittenFile() throws {
        let directory = try Self.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        let file = directory.appendingPathComponent("many.yaml")
        // Each version is ten services; a half-written file would show fewer, or none.
        func version(_ index: Int) -> String {
            (0..<10).map { position in
                "apiVersion: v1\nkind: Service\nmetadata: {name: s\(position), namespace: dev}\nspec: {clusterIP: 10.96.\(index % 250).\(position + 1), ports: [{port: 80}]}\n"
            }.joined(separator: "---\n")
        }
        try Self.write(version(0), to: file)
        #expect(try Self.eventually("10.96.0.10\n") { try server.dig(["+short", "s9.dev.svc.cluster.local"]) } == "10.96.0.10\n")

        let stop = Locked(false)
        let finished = Locked(false)
        let bad = Locked<[String]>([])
        let answered = Locked(0)
        let port = server.port
        let checker = Thread {
            // Query s9 (the last document) as fast as possible while the file is rewritten. A
            // reply that does not come (a busy machine) says nothing about the file; a reply
            // without s9, or with another RCODE, would be an answer from a half-written file.
            while !stop.value {
                guard let reply = RawDNSClient.udp(RawDNSClient.query("s9.dev.svc.cluster.local"), port: port, timeout: 1)
                else { continue }
                answered.mutate { $0 += 1 }
                if reply[3] & 0x0F != 0 || reply[7] != 1 {
                    bad.mutate { $0.append("rcode \(reply[3] & 0x0F) answers \(reply[7])") }
                }
            }
            finished.set(true)
        }
        checker.start()
        for index in 1...200 { try Self.write(version(index), to: file) }
        #expect(try Self.eventually("10.96.200.10\n") { try server.dig(["+short", "s9.dev.svc.cluster.local"]) } == "10.96.200.10\n")
        stop.set(true)
        #expect(Self.eventually(true, timeout: 5) { finished.value }, "the checker thread ends within its 1 s query timeout")
        #expect(answered.value > 0, "queries were answered while the file was rewritten")
        #expect(bad.value.isEmpty, "answers from a half-written file: \(bad.value.prefix(5))")
    }

    /// The one service of the files the tests below hold open: `held.dev`, at `clusterIP`.
    static func heldService(clusterIP: String) -> String {
        "apiVersion: v1\nkind: Service\nmetadata: {name: held, namespace: dev}\nspec: {clusterIP: \(clusterIP), ports: [{port: 80}]}\n"
    }

    @Test func aFileHeldTruncatedByItsWriterKeepsServingWhatItHeld() throws {
        // A writer that rewrites a file in place closes it, then truncates it for the next version
        // and is still writing when the reload reads it (the close's event): the file is empty then,
        // and its service must not vanish while the writer holds it.
        let directory = try Self.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("held.yaml")
        func version(_ index: Int) -> String { Self.heldService(clusterIP: "10.96.77.\(index)") }
        try Self.write(version(1), to: file)
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        let name = "held.dev.svc.cluster.local"
        #expect(try Self.eventually("10.96.77.1\n") { try server.dig(["+short", name]) } == "10.96.77.1\n")

        try Self.write(version(2), to: file)
        let held = open(file.path, O_WRONLY | O_TRUNC)
        try #require(held >= 0)
        // Past the debounce window and a rebuild, several times over.
        var answers: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(1)
        while Date() < deadline {
            guard let reply = RawDNSClient.udp(RawDNSClient.query(name), port: server.port, timeout: 1) else { continue }
            answers["rcode \(reply[3] & 0x0F) answers \(reply[7])", default: 0] += 1
        }
        let bytes = Array(version(3).utf8)
        #expect(Glibc.write(held, bytes, bytes.count) == bytes.count)
        close(held)
        #expect(answers.keys.sorted() == ["rcode 0 answers 1"], "answers while the writer held the file empty: \(answers)")
        #expect(try Self.eventually("10.96.77.3\n") { try server.dig(["+short", name]) } == "10.96.77.3\n")
    }

    @Test func aFileKeptOpenByAnIdleWriterIsReadOnceItsWriterHasBeenIdle() throws {
        // Another process holds the file open for writing and never closes it: a new version
        // written meanwhile is left unread at first (a writer is at the file), and read once the
        // file has been still for a while, without any further event and long before the
        // periodic rescan.
        let directory = try Self.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("held.yaml")
        func version(_ index: Int) -> String { Self.heldService(clusterIP: "10.96.78.\(index)") }
        try Self.write(version(1), to: file)
        let server = try ServerProcess(["--manifests", directory.path, "--rescan-interval", "3600"])
        defer { server.stop() }
        let name = "held.dev.svc.cluster.local"
        #expect(try Self.eventually("10.96.78.1\n") { try server.dig(["+short", name]) } == "10.96.78.1\n")

        let holder = open(file.path, O_WRONLY | O_APPEND)
        try #require(holder >= 0)
        defer { close(holder) }
        try Self.write(version(2), to: file)
        // Left unread at first: the file was written just now, and is held open for writing.
        usleep(1_000_000)
        #expect(try server.dig(["+short", name]) == "10.96.78.1\n")
        #expect(try Self.eventually("10.96.78.2\n", timeout: 20) { try server.dig(["+short", name]) } == "10.96.78.2\n")
    }
}

/// A value shared with a test's helper thread.
final class Locked<Value>: @unchecked Sendable {
    // Safety: every access goes through `lock`.
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { self.stored = value }
    var value: Value { self.lock.withLock { self.stored } }
    func set(_ value: Value) { self.lock.withLock { self.stored = value } }
    func mutate(_ body: (inout Value) -> Void) { self.lock.withLock { body(&self.stored) } }
}
