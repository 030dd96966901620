import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// NSD started by a test on a free loopback port, serving the zones given; stopped (with the
/// children it forks) when the test is done.
final class NSDServer {
    let port: Int
    let directory: URL

    struct StartFailure: Error, CustomStringConvertible { var description: String }

    /// Starts NSD with `zones` (apex → zone file text) and waits (at most 20 s) until it answers.
    init(zones: [String: String]) throws {
        let directory = try CommandRunner.temporaryDirectory()
        self.directory = directory
        self.port = Self.freePort()
        let path = directory.path
        var configuration = """
            server:
              ip-address: 127.0.0.1@\(self.port)
              zonesdir: \(path)
              pidfile: \(path)/nsd.pid
              database: ""
              username: ""
              xfrdfile: \(path)/xfrd.state
              zonelistfile: \(path)/zone.list
              logfile: \(path)/nsd.log
              server-count: 1
            remote-control:
              control-enable: no

            """
        for (apex, text) in zones {
            try text.write(to: directory.appendingPathComponent("\(apex).zone"), atomically: true, encoding: .utf8)
            configuration += "zone:\n  name: \(apex)\n  zonefile: \(apex).zone\n"
        }
        try configuration.write(to: directory.appendingPathComponent("nsd.conf"), atomically: true, encoding: .utf8)
        // In a session of its own, so that NSD and the children it forks stop together: the
        // process group named by its pidfile. (Signals other than SIGKILL may arrive blocked
        // in a process spawned from the test runner, and NSD does not unblock them.)
        let nsd = Process()
        nsd.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        nsd.arguments = ["/usr/sbin/nsd", "-d", "-c", directory.appendingPathComponent("nsd.conf").path]
        nsd.standardOutput = FileHandle.nullDevice
        nsd.standardError = FileHandle.nullDevice
        try nsd.run()
        let apex = zones.keys.first ?? "."
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let answer = try? self.dig([apex, "SOA"]), answer.contains("status: NOERROR") { return }
            usleep(50_000)
        }
        self.stop()
        throw StartFailure(description: "nsd did not start on port \(self.port)")
    }

    func dig(_ arguments: [String]) throws -> String {
        try CommandRunner.run("/usr/bin/dig", ["@127.0.0.1", "-p", "\(self.port)", "+time=1", "+tries=1", "+norec"] + arguments)
            .stdout
    }

    func stop() {
        let pidText = (try? String(contentsOf: self.directory.appendingPathComponent("nsd.pid"), encoding: .utf8)) ?? ""
        if let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(at: self.directory)
    }

    deinit { self.stop() }

    /// A free loopback port (bound once to ask the kernel, then released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
