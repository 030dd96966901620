import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// NSD loaded with `clusterdns dump` must give the same answers as ClusterDNS for every name in
/// it (and for names that are not): the dump is exactly what is served.
@Suite("NSD serving the dump answers as ClusterDNS does", .serialized)
struct NSDEquivalenceTests {
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

    /// rcode, and the answer and SOA-authority records with the serial blanked.
    static func essence(_ digOutput: String) -> String {
        var status = "none"
        if let line = digOutput.split(separator: "\n").first(where: { $0.contains("status:") }),
            let range = line.range(of: "status: ")
        {
            status = String(line[range.upperBound...].prefix { $0 != "," })
        }
        var inAnswer = false
        var inAuthority = false
        var lines: [String] = []
        for line in digOutput.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(";; ANSWER SECTION") { inAnswer = true; continue }
            if line.hasPrefix(";; AUTHORITY SECTION") { inAuthority = true; inAnswer = false; continue }
            if line.hasPrefix(";;") || line.isEmpty { inAnswer = false; inAuthority = false; continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if inAnswer || (inAuthority && fields.count > 3 && fields[3] == "SOA") {
                var normalized = fields.map(String.init)
                if normalized.count > 6, normalized[3] == "SOA" { normalized[6] = "SERIAL" }
                lines.append(normalized.joined(separator: " "))
            }
        }
        return "\(status)\n" + lines.sorted().joined(separator: "\n")
    }

    @Test func nsdAndClusterDNSAgreeOnEveryNameOfTheExample() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zone = try CommandRunner.clusterdns(["dump", "zones", "--zone", "cluster.local"])
        try zone.stdout.write(to: directory.appendingPathComponent("cluster.local.zone"), atomically: true, encoding: .utf8)
        let port = Self.freePort()
        let path = directory.path
        try """
            server:
              ip-address: 127.0.0.1@\(port)
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
            zone:
              name: cluster.local
              zonefile: cluster.local.zone
            """.write(to: directory.appendingPathComponent("nsd.conf"), atomically: true, encoding: .utf8)
        let nsd = Process()
        // In a session of its own, so that NSD and the children it forks stop together: the
        // process group named by its pidfile. (Signals other than SIGKILL may arrive blocked
        // in a process spawned from the test runner, and NSD does not unblock them.)
        nsd.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        nsd.arguments = ["/usr/sbin/nsd", "-d", "-c", directory.appendingPathComponent("nsd.conf").path]
        nsd.standardOutput = FileHandle.nullDevice
        nsd.standardError = FileHandle.nullDevice
        try nsd.run()
        defer {
            let pidText = (try? String(contentsOf: directory.appendingPathComponent("nsd.pid"), encoding: .utf8)) ?? ""
            if let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
            }
        }
        func digNSD(_ arguments: [String]) throws -> String {
            try CommandRunner.run("/usr/bin/dig", ["@127.0.0.1", "-p", "\(port)", "+time=1", "+tries=1", "+norec"] + arguments).stdout
        }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, try !digNSD(["cluster.local", "SOA"]).contains("status: NOERROR") { usleep(50_000) }

        let server = try ServerProcess(["--manifests", "zones"])
        defer { server.stop() }

        var names = Set<String>()
        for line in normalizedRecords(zone.stdout) {
            var name = String(line.split(separator: " ")[0])
            // The owner and every ancestor down to the apex (empty non-terminals).
            while name.hasSuffix("cluster.local.") {
                names.insert(name)
                guard let dot = name.firstIndex(of: "."), name != "cluster.local." else { break }
                name = String(name[name.index(after: dot)...])
            }
        }
        for name in Array(names) { names.insert("nothere." + name) }
        #expect(names.count > 40)
        for name in names.sorted() {
            for type in ["A", "AAAA", "SRV", "TXT", "CNAME", "NS", "SOA"] {
                let ours = Self.essence(try server.dig(["+norec", name, type]))
                let theirs = Self.essence(try digNSD([name, type]))
                #expect(ours == theirs, "\(name) \(type)")
            }
        }
    }
}
