import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Abuse the server should shrug off: connection floods and hostile manifest files.
@Suite("Robustness: connection abuse and hostile manifests", .serialized)
struct RobustnessEndToEndTests {
    static let name = "service-clusterip.dev.svc.cluster.local"

    @Test func idleConnectionFloodDoesNotLockOutNewClients() throws {
        let server = try ServerProcess(["--manifests", "zones", "--max-tcp-connections", "100", "--tcp-idle-timeout", "30"])
        defer { server.stop() }
        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<200 {
            if let fd = RawDNSClient.connectTCP(port: server.port) { idle.append(fd) }
        }
        #expect(idle.count == 200)
        // A new client is served over TCP...
        let fresh = try #require(RawDNSClient.connectTCP(port: server.port))
        defer { close(fresh) }
        #expect(RawDNSClient.send(fresh, RawDNSClient.frame(RawDNSClient.query(Self.name, id: 77))))
        let reply = try #require(RawDNSClient.readFrame(fresh))
        #expect(reply[0] == 0 && reply[1] == 77 && reply[3] & 0x0F == 0)
        // ...the oldest idle connections were the ones closed...
        var closed = 0
        for fd in idle.prefix(50) {
            var tv = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var byte: UInt8 = 0
            if recv(fd, &byte, 1, 0) == 0 { closed += 1 }
        }
        #expect(closed == 50, "the oldest idle connections go first")
        // ...and UDP never noticed.
        let udp = RawDNSClient.udp(RawDNSClient.query(Self.name), port: server.port, timeout: 2)
        #expect(udp.map { $0[3] & 0x0F } == 0)
    }

    @Test func hostileManifestFilesGiveDiagnosticsAndTheRestIsServed() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = CommandRunner.packageRoot.appendingPathComponent("zones/service-clusterip.yaml")
        try FileManager.default.copyItem(at: good, to: directory.appendingPathComponent("good.yaml"))
        // Binary noise.
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) })
            .write(to: directory.appendingPathComponent("binary.yaml"))
        // A billion-laughs YAML bomb.
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        try bomb.write(to: directory.appendingPathComponent("bomb.yaml"), atomically: true, encoding: .utf8)
        // 100 MB (sparse: the size alone is refused, before reading).
        let huge = directory.appendingPathComponent("huge.yaml").path
        _ = FileManager.default.createFile(atPath: huge, contents: nil)
        #expect(truncate(huge, 100 << 20) == 0)
        // Nesting far past any Kubernetes object.
        try (String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000))
            .write(to: directory.appendingPathComponent("deep.json"), atomically: true, encoding: .utf8)
        // A symlink loop of directories.
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("loop"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("loop/again").path, withDestinationPath: "..")

        let check = try CommandRunner.clusterdns(["check", directory.path], timeout: 60)
        #expect(check.status == 1)
        #expect(check.stderr.contains("bomb.yaml:"))
        #expect(check.stderr.contains("aliases expand to more than"))
        #expect(check.stderr.contains("huge.yaml:1:1: error: file is 104857600 bytes, more than the limit of 67108864"))
        #expect(check.stderr.contains("deep.json:"))
        #expect(check.stderr.contains("nested deeper than"))
        #expect(check.stderr.contains("binary.yaml:"))

        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        #expect(try server.dig(["+short", Self.name]) == "10.97.97.97\n")
        #expect(server.process.isRunning)
    }
}
