import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real clients: glibc's stub resolver with a pod's resolv.conf, and unbound forwarding the
/// cluster zone to ClusterDNS (the node-local cache setup).
@Suite("Pod-style clients: glibc and unbound", .serialized)
struct PodResolverTests {
    /// Whether this process may make a private mount namespace and bind port 53 (root in CI).
    static let canUnshare: Bool = {
        guard getuid() == 0 else { return false }
        return (try? CommandRunner.run("/usr/bin/unshare", ["--mount", "/bin/true"]).status) == 0
    }()

    @Test(.enabled(if: Self.canUnshare, "needs root for unshare --mount and port 53"))
    func glibcResolvesClusterNamesThroughTheSearchListAndTheWorldThroughTheUpstream() throws {
        let upstream = try NSDServer(zones: ["example.test": ResolverEndToEndTests.upstreamZone])
        defer { upstream.stop() }
        // A loopback address of our own, so port 53 is free whatever else runs here.
        let address = "127.88.\(Int.random(in: 1...250)).\(Int.random(in: 1...250))"
        let server = try ServerProcess(
            ["--manifests", "zones", "--listen", "\(address):53", "--upstream", "127.0.0.1:\(upstream.port)"], host: address)
        defer { server.stop() }
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let resolvConf = directory.appendingPathComponent("resolv.conf")
        try """
            nameserver \(address)
            search dev.svc.cluster.local svc.cluster.local cluster.local
            options ndots:5 timeout:2 attempts:2
            """.write(to: resolvConf, atomically: true, encoding: .utf8)

        func getent(_ arguments: String) throws -> String {
            let script = "mount --bind \(resolvConf.path) /etc/resolv.conf && getent \(arguments)"
            return try CommandRunner.run("/usr/bin/unshare", ["--mount", "/bin/sh", "-c", script], timeout: 30).stdout
        }
        #expect(try getent("hosts service-clusterip").hasPrefix("10.97.97.97"))
        let pods = try getent("ahostsv4 service-headliness.dev").split(separator: "\n")
            .compactMap { $0.split(separator: " ").first }
        #expect(Set(pods).count == 3)
        #expect(pods.allSatisfy { $0.hasPrefix("10.244.") })
        #expect(try getent("ahostsv4 www.example.test").hasPrefix("192.0.2.80"))
        #expect(try getent("hosts nothing-here-at-all.example.test").isEmpty)
    }

    @Test func unboundForwardsTheClusterZoneToClusterDNS() throws {
        let server = try ServerProcess(["--manifests", "zones"])
        defer { server.stop() }
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path
        // A port free for UDP when chosen can be taken (for TCP, say, by a server another test
        // starts) before unbound binds it: unbound then exits at once, and the next of three
        // attempts takes a fresh port.
        var port = 0
        var unbound = Process()
        for _ in 0..<3 {
            port = NSDServer.freePort()
            try """
            server:
              interface: 127.0.0.1
              port: \(port)
              do-daemonize: no
              username: ""
              chroot: ""
              directory: "\(path)"
              pidfile: "\(path)/unbound.pid"
              use-syslog: no
              logfile: "\(path)/unbound.log"
              do-not-query-localhost: no
              module-config: "iterator"
              domain-insecure: "cluster.local"
              access-control: 127.0.0.0/8 allow
            remote-control:
              control-enable: no
            forward-zone:
              name: "cluster.local"
              forward-addr: 127.0.0.1@\(server.port)
            """.write(to: directory.appendingPathComponent("unbound.conf"), atomically: true, encoding: .utf8)
            unbound = Process()
            unbound.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            unbound.arguments = ["/usr/sbin/unbound", "-d", "-c", directory.appendingPathComponent("unbound.conf").path]
            unbound.standardOutput = FileHandle.nullDevice
            unbound.standardError = FileHandle.nullDevice
            try unbound.run()
            // Until unbound holds the port (a UDP bind to it fails) or has exited.
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, unbound.isRunning, NSDServer.isFree(port) { usleep(20_000) }
            if unbound.isRunning { break }
        }
        defer {
            let pidText = (try? String(contentsOf: directory.appendingPathComponent("unbound.pid"), encoding: .utf8)) ?? ""
            if let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
            }
            if unbound.isRunning { kill(unbound.processIdentifier, SIGKILL) }
        }
        let unboundLog = { (try? String(contentsOf: directory.appendingPathComponent("unbound.log"), encoding: .utf8)) ?? "" }
        #expect(unbound.isRunning, "unbound exited on each of three ports: \(unboundLog())")
        func digUnbound(_ arguments: [String]) throws -> String {
            try CommandRunner.run("/usr/bin/dig", ["@127.0.0.1", "-p", "\(port)", "+time=2", "+tries=1"] + arguments).stdout
        }
        let answer = try WatchEndToEndTests.eventually("10.97.97.97\n", timeout: 20) {
            try digUnbound(["+short", "service-clusterip.dev.svc.cluster.local"])
        }
        #expect(answer == "10.97.97.97\n", "unbound's log: \(unboundLog())")
        #expect(try digUnbound(["+short", "SRV", "_web._tcp.nginx.dev.svc.cluster.local"]).split(separator: "\n").count == 2)
        #expect(try digUnbound(["nothere.dev.svc.cluster.local"]).contains("status: NXDOMAIN"))
    }
}
