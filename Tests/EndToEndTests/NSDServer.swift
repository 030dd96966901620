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

    /// Starts NSD with `zones` (apex → zone file text) and waits until it answers: at most 30 s
    /// an attempt, and a fresh port for the next of three attempts when NSD exits at once (the
    /// free port was taken meanwhile by a neighbour test).
    init(zones: [String: String]) throws {
        let directory = try CommandRunner.temporaryDirectory()
        self.directory = directory
        for (apex, text) in zones {
            try text.write(to: directory.appendingPathComponent("\(apex).zone"), atomically: true, encoding: .utf8)
        }
        let apex = zones.keys.first ?? "."
        var failure = "nsd did not start"
        for _ in 0..<3 {
            let port = Self.freePort()
            let nsd = try Self.start(zones: Array(zones.keys), in: directory, port: port)
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, nsd.isRunning {
                let answer = try? CommandRunner.run(
                    "/usr/bin/dig", ["@127.0.0.1", "-p", "\(port)", "+time=1", "+tries=1", "+norec", apex, "SOA"]
                ).stdout
                if answer?.contains("status: NOERROR") == true {
                    self.port = port
                    return
                }
                usleep(50_000)
            }
            failure = nsd.isRunning ? "nsd did not answer on port \(port) within 30 s" : "nsd exited on port \(port)"
            Self.kill(directory)
        }
        try? FileManager.default.removeItem(at: directory)
        throw StartFailure(description: failure)
    }

    /// NSD in a session of its own, so that NSD and the children it forks stop together: the
    /// process group named by its pidfile. (Signals other than SIGKILL may arrive blocked in a
    /// process spawned from the test runner, and NSD does not unblock them.)
    private static func start(zones: [String], in directory: URL, port: Int) throws -> Process {
        try Self.configuration(zones: zones, directory: directory.path, port: port)
            .write(to: directory.appendingPathComponent("nsd.conf"), atomically: true, encoding: .utf8)
        let nsd = Process()
        nsd.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        nsd.arguments = ["/usr/sbin/nsd", "-d", "-c", directory.appendingPathComponent("nsd.conf").path]
        nsd.standardOutput = FileHandle.nullDevice
        nsd.standardError = FileHandle.nullDevice
        try nsd.run()
        return nsd
    }

    /// NSD's configuration for `zones` (each in `<apex>.zone` in `directory`) on 127.0.0.1 `port`,
    /// with its state files in `directory` (its transfer directory too: NSD removes that only when it
    /// exits cleanly, and the tests stop it with SIGKILL) and no remote control.
    static func configuration(zones: [String], directory path: String, port: Int) -> String {
        var configuration = """
            server:
              ip-address: 127.0.0.1@\(port)
              zonesdir: \(path)
              pidfile: \(path)/nsd.pid
              database: ""
              username: ""
              xfrdfile: \(path)/xfrd.state
              xfrdir: \(path)
              zonelistfile: \(path)/zone.list
              logfile: \(path)/nsd.log
              server-count: 1
            remote-control:
              control-enable: no

            """
        for apex in zones { configuration += "zone:\n  name: \(apex)\n  zonefile: \(apex).zone\n" }
        return configuration
    }

    /// Kills the NSD whose pidfile is in `directory`, with its children.
    private static func kill(_ directory: URL) {
        let pidText = (try? String(contentsOf: directory.appendingPathComponent("nsd.pid"), encoding: .utf8)) ?? ""
        if let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
            Glibc.kill(-pid, SIGKILL)
            Glibc.kill(pid, SIGKILL)
        }
    }

    func dig(_ arguments: [String]) throws -> String {
        try CommandRunner.run("/usr/bin/dig", ["@127.0.0.1", "-p", "\(self.port)", "+time=1", "+tries=1", "+norec"] + arguments)
            .stdout
    }

    func stop() {
        Self.kill(self.directory)
        try? FileManager.default.removeItem(at: self.directory)
    }

    deinit { self.stop() }

    /// A free loopback port (bound once to ask the kernel, then released).
    /// Whether a UDP socket can bind 127.0.0.1:`port` now.
    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

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
