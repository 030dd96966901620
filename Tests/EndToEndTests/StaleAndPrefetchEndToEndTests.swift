import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--serve-stale` (RFC 8767) and `--prefetch` against a real upstream (NSD on loopback), stopped
/// by the test. The waits are for TTLs to run out: each is a deadline from the first answer.
@Suite("Resolver: serve-stale and prefetch against NSD", .serialized)
struct StaleAndPrefetchEndToEndTests {
    /// TTL 2 for positive data and a negative TTL of 2 (SOA minimum), or TTL 10.
    static func zone(ttl: Int) -> String {
        """
        example.test.\t300\tIN\tSOA\tns.example.test. admin.example.test. 1 3600 600 86400 \(ttl)
        example.test.\t300\tIN\tNS\tns.example.test.
        ns.example.test.\t300\tIN\tA\t127.0.0.1
        www.example.test.\t\(ttl)\tIN\tA\t192.0.2.80

        """
    }

    /// `name TTL IN TYPE rdata` lines of the answer section, and the status.
    static func ask(_ server: ServerProcess, _ name: String, _ type: String = "A") throws -> (status: String, records: [[String]]) {
        let output = try server.dig(["+noall", "+answer", "+authority", "+comments", name, type])
        var status = "none"
        if let line = output.split(separator: "\n").first(where: { $0.contains("status:") }),
            let range = line.range(of: "status: ")
        {
            status = String(line[range.upperBound...].prefix { $0 != "," })
        }
        let records = output.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.isEmpty }
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
        return (status, records)
    }

    static func waitUntil(_ deadline: Date) {
        while Date() < deadline { usleep(UInt32(max(1000, min(100_000, deadline.timeIntervalSinceNow * 1e6)))) }
    }

    @Test func expiredAnswersAreServedStaleWhenTheUpstreamIsGone() throws {
        let upstream = try NSDServer(zones: ["example.test": Self.zone(ttl: 2)])
        defer { upstream.stop() }
        let server = try ServerProcess([
            "--manifests", "zones", "--upstream", "127.0.0.1:\(upstream.port)", "--serve-stale", "1h", "--forward-timeout", "1",
            "--http", "127.0.0.1:0",
        ])
        defer { server.stop() }
        let plain = try ServerProcess(["--manifests", "zones", "--upstream", "127.0.0.1:\(upstream.port)", "--forward-timeout", "1"])
        defer { plain.stop() }
        let fresh = try Self.ask(server, "www.example.test")
        #expect(fresh.status == "NOERROR" && fresh.records.first?[4] == "192.0.2.80")
        #expect(try Self.ask(server, "nothere.example.test").status == "NXDOMAIN")
        #expect(try Self.ask(plain, "www.example.test").status == "NOERROR")
        let cachedAt = Date()

        upstream.stop()
        Self.waitUntil(cachedAt.addingTimeInterval(3.2))  // both TTLs (2 s) are over
        let began = Date()
        let stale = try Self.ask(server, "www.example.test")
        let took = Date().timeIntervalSince(began)
        #expect(stale.status == "NOERROR")
        #expect(stale.records.map { [$0[0], $0[1], $0[4]] } == [["www.example.test.", "30", "192.0.2.80"]])
        #expect(took < 1.8, "the stale answer took \(took) s (--forward-timeout 1)")
        // A stale denial keeps its negative TTL (2), not the stale 30.
        let denial = try Self.ask(server, "nothere.example.test")
        #expect(denial.status == "NXDOMAIN")
        #expect(denial.records.first.map { $0[3] == "SOA" && Int($0[1])! <= 2 } == true, "\(denial.records)")
        // Without the flag: SERVFAIL, as before.
        #expect(try Self.ask(plain, "www.example.test").status == "SERVFAIL")

        let http = try #require(OperationsEndToEndTests.httpPort(server))
        let metrics = HTTPClient.request(port: http, path: "/metrics")?.body ?? ""
        #expect(OperationsEndToEndTests.metric(metrics, "clusterdns_cache_served_stale_total") >= 2)
    }

    /// The timeline: TTL 10; asked at 0 and 9.5; the upstream stops at 10.5; at 12 the
    /// answer is still fresh (prefetched at 9.5), not stale, with a TTL above 0.
    @Test func aPopularNameIsPrefetchedBeforeItExpires() throws {
        let upstream = try NSDServer(zones: ["example.test": Self.zone(ttl: 10)])
        defer { upstream.stop() }
        let server = try ServerProcess([
            "--manifests", "zones", "--upstream", "127.0.0.1:\(upstream.port)", "--prefetch", "--forward-timeout", "1",
            "--http", "127.0.0.1:0",
        ])
        defer { server.stop() }
        let start = Date()
        let first = try Self.ask(server, "www.example.test")
        #expect(first.status == "NOERROR" && first.records.first?[1] == "10")
        Self.waitUntil(start.addingTimeInterval(9.5))
        let late = try Self.ask(server, "www.example.test")
        #expect(late.status == "NOERROR" && Int(late.records.first?[1] ?? "") ?? 99 <= 1, "\(late.records)")
        Self.waitUntil(start.addingTimeInterval(10.5))
        upstream.stop()
        Self.waitUntil(start.addingTimeInterval(12))
        let after = try Self.ask(server, "www.example.test")
        #expect(after.status == "NOERROR")
        let ttl = Int(after.records.first?[1] ?? "") ?? 0
        #expect(ttl > 0 && ttl <= 10, "fresh from the prefetch, not stale: TTL \(ttl)")
        let http = try #require(OperationsEndToEndTests.httpPort(server))
        let metrics = HTTPClient.request(port: http, path: "/metrics")?.body ?? ""
        #expect(OperationsEndToEndTests.metric(metrics, "clusterdns_cache_prefetch_total") == 1)
    }
}
