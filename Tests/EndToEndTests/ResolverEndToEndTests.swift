import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The cluster resolver against real upstream servers (NSD on loopback), no mocks of DNS.
@Suite("Forwarding to upstreams, the cache, ExternalName chasing", .serialized)
struct ResolverEndToEndTests {
    static let upstreamZone: String = {
        var text = """
            example.test.\t300\tIN\tSOA\tns.example.test. admin.example.test. 1 3600 600 86400 60
            example.test.\t300\tIN\tNS\tns.example.test.
            ns.example.test.\t300\tIN\tA\t127.0.0.1
            www.example.test.\t120\tIN\tA\t192.0.2.80
            www.example.test.\t120\tIN\tAAAA\t2001:db8::80
            example.test.\t300\tIN\tMX\t10 mail.example.test.
            mail.example.test.\t300\tIN\tA\t192.0.2.25
            txt.example.test.\t300\tIN\tTXT\t"hello world"

            """
        // An RRset too big for a 1232-byte UDP answer: the upstream truncates it.
        for index in 0..<12 {
            text += "big.example.test.\t300\tIN\tTXT\t\"\(String(repeating: "b", count: 150))\(index)\"\n"
        }
        return text
    }()

    static func answers(_ output: String) -> [String] {
        normalizedRecords(output).map { line in
            // Drop the TTL, which counts down.
            var fields = line.split(separator: " ").map(String.init)
            if fields.count > 2 { fields.remove(at: 1) }
            return fields.joined(separator: " ")
        }
    }

    @Test func forwardsCachesAndCountsTTLsDown() throws {
        let upstream = try NSDServer(zones: ["example.test": Self.upstreamZone])
        defer { upstream.stop() }
        let server = try ServerProcess(["--manifests", "zones", "--upstream", "127.0.0.1:\(upstream.port)"])
        defer { server.stop() }
        #expect(Self.answers(try server.dig(["+noall", "+answer", "www.example.test", "A"])) == ["www.example.test. IN A 192.0.2.80"])
        #expect(Self.answers(try server.dig(["+noall", "+answer", "www.example.test", "AAAA"])) == ["www.example.test. IN AAAA 2001:db8::80"])
        #expect(Self.answers(try server.dig(["+noall", "+answer", "example.test", "MX"])) == ["example.test. IN MX 10 mail.example.test."])
        #expect(Self.answers(try server.dig(["+noall", "+answer", "txt.example.test", "TXT"])) == ["txt.example.test. IN TXT \"hello world\""])
        let full = try server.dig(["www.example.test"])
        #expect(full.contains("flags: qr rd ra;"))

        // The TTL is counted down in what is returned from the cache.
        func ttl() throws -> Int {
            let line = normalizedRecords(try server.dig(["+noall", "+answer", "www.example.test", "A"])).first ?? ""
            return Int(line.split(separator: " ")[1]) ?? -1
        }
        let first = try ttl()
        #expect(first > 0 && first <= 120)
        #expect(try WatchEndToEndTests.eventually(true, timeout: 5) { try ttl() < first })

        // NXDOMAIN is cached for the SOA minimum (60 s): with the upstream gone, still NXDOMAIN.
        let missing = try server.dig(["nothere.example.test"])
        #expect(missing.contains("status: NXDOMAIN"))
        #expect(missing.contains("example.test.\t\t60\tIN\tSOA") || missing.contains("example.test.\t\t59\tIN\tSOA"))
        upstream.stop()
        let cached = try server.dig(["nothere.example.test"])
        #expect(cached.contains("status: NXDOMAIN"))
        // Names never asked now fail fast with SERVFAIL.
        let started = Date()
        #expect(try server.dig(["+time=5", "other.example.test"]).contains("status: SERVFAIL"))
        // Within the 2 s forward timeout, plus dig's own start-up on a busy machine; well short
        // of dig's 5 s, which is what a hang would take.
        #expect(Date().timeIntervalSince(started) < 3.5)
        // Cluster names never depend on the upstream.
        #expect(try server.dig(["+short", "service-clusterip.dev.svc.cluster.local"]) == "10.97.97.97\n")
    }

    @Test func truncatedUpstreamAnswerIsRetriedOverTCP() throws {
        let upstream = try NSDServer(zones: ["example.test": Self.upstreamZone])
        defer { upstream.stop() }
        #expect(try upstream.dig(["+ignore", "big.example.test", "TXT"]).contains(" tc"))
        let server = try ServerProcess(["--manifests", "zones", "--upstream", "127.0.0.1:\(upstream.port)"])
        defer { server.stop() }
        #expect(try server.records("big.example.test", "TXT", ["+answer", "+tcp"]).count == 12)
        // Over UDP to the client it does not fit either: TC, and dig's retry over TCP gets it all.
        let viaUDP = try server.dig(["big.example.test", "TXT"])
        #expect(viaUDP.contains("Truncated, retrying in TCP mode"))
        #expect(viaUDP.contains("ANSWER: 12"))
    }

    @Test func deadFirstUpstreamIsSkippedAndAllDeadIsAFastServerFailure() throws {
        let upstream = try NSDServer(zones: ["example.test": Self.upstreamZone])
        defer { upstream.stop() }
        let closedPort = NSDServer.freePort()
        let server = try ServerProcess([
            "--manifests", "zones", "--upstream", "127.0.0.1:\(closedPort)", "--upstream", "127.0.0.1:\(upstream.port)",
        ])
        defer { server.stop() }
        #expect(try server.dig(["+short", "www.example.test"]) == "192.0.2.80\n")

        // A silent upstream (a socket that reads nothing) and a closed port: SERVFAIL within the timeout.
        let silent = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(silent, $0, &length) }
        }
        let silentPort = Int(UInt16(bigEndian: address.sin_port))
        let dead = try ServerProcess([
            "--manifests", "zones", "--upstream", "127.0.0.1:\(silentPort)", "--upstream", "127.0.0.1:\(closedPort)",
            "--forward-timeout", "1",
        ])
        defer { dead.stop() }
        let started = Date()
        let reply = try dead.dig(["+time=5", "www.example.test"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(reply.contains("status: SERVFAIL"))
        // The 1 s forward timeout, plus dig's own start-up on a busy machine; a hang takes dig's 5 s.
        #expect(elapsed < 2.5, "took \(elapsed) s")
    }

    @Test func externalNameTargetIsChasedThroughTheUpstream() throws {
        let upstream = try NSDServer(zones: ["example.test": Self.upstreamZone])
        defer { upstream.stop() }
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            apiVersion: v1
            kind: Service
            metadata: {name: outside, namespace: dev}
            spec: {type: ExternalName, externalName: www.example.test}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: nowhere, namespace: dev}
            spec: {type: ExternalName, externalName: nothere.example.test}
            """.write(to: directory.appendingPathComponent("external.yaml"), atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--manifests", directory.path, "--upstream", "127.0.0.1:\(upstream.port)"])
        defer { server.stop() }
        #expect(
            Self.answers(try server.dig(["+noall", "+answer", "outside.dev.svc.cluster.local", "A"])) == [
                "outside.dev.svc.cluster.local. IN CNAME www.example.test.", "www.example.test. IN A 192.0.2.80",
            ])
        let unresolved = try server.dig(["nowhere.dev.svc.cluster.local", "A"])
        #expect(unresolved.contains("status: NOERROR"))
        #expect(Self.answers(try server.dig(["+noall", "+answer", "nowhere.dev.svc.cluster.local", "A"])) == [
            "nowhere.dev.svc.cluster.local. IN CNAME nothere.example.test."
        ])
    }

    @Test func anUpstreamThatIsOurselvesIsRefusedAtStartUp() throws {
        let port = NSDServer.freePort()
        let output = try CommandRunner.clusterdns(
            ["serve", "zones", "--listen", "127.0.0.1:\(port)", "--upstream", "127.0.0.1:\(port)", "--http", "none"], timeout: 30)
        #expect(output.status == 1)
        #expect(output.stderr.contains("is this server itself"))
        let wildcard = try CommandRunner.clusterdns(
            ["serve", "zones", "--listen", "0.0.0.0:\(port)", "--upstream", "127.0.0.53:\(port)", "--http", "none"], timeout: 30)
        #expect(wildcard.status == 1)
        #expect(wildcard.stderr.contains("is this server itself"))
    }

    @Test func aForwardingLoopThroughAnotherServerIsRefusedAtStartUp() throws {
        // A forwards to B, and B forwards back to A: A's loop probe comes back to A. A's port is
        // chosen before A starts; when another process of the run took it meanwhile, both go
        // and another is tried (a few times).
        var output = CommandRunner.Output(status: -1, stdout: "", stderr: "")
        for _ in 0..<5 {
            let portA = NSDServer.freePort()
            let serverB = try ServerProcess(["--manifests", "zones", "--upstream", "127.0.0.1:\(portA)", "--forward-timeout", "1"])
            defer { serverB.stop() }
            output = try CommandRunner.clusterdns(
                ["serve", "zones", "--listen", "127.0.0.1:\(portA)", "--upstream", "127.0.0.1:\(serverB.port)", "--http", "none"],
                timeout: 30)
            if !output.stderr.contains("the address is already in use") { break }
        }
        #expect(output.status == 1)
        #expect(output.stderr.contains("a forwarding loop"))
    }
}
