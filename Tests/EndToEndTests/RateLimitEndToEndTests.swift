import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--response-rate-limit` against the real binary: a client /24 over the
/// rate gets about twice the rate in full answers in its first second, then alternately a
/// truncated reply and nothing (slip 2, as NSD and Knot); other networks and TCP are untouched.
@Suite("Response rate limiting", .serialized)
struct RateLimitEndToEndTests {
    static let name = "service-clusterip.dev.svc.cluster.local"

    @Test func aFloodFromOneNetworkIsLimitedAndNobodyElseIs() throws {
        let server = try ServerProcess([
            "--manifests", "zones", "--lameduck", "0", "--response-rate-limit", "100", "--http", "127.0.0.1:0",
        ])
        defer { server.stop() }
        let http = try #require(OperationsEndToEndTests.httpPort(server))
        let client = try #require(UDPClient(source: "127.0.0.1"))
        // 3,000 queries spread over one second, every other one with EDNS.
        let count = 3000
        var replies: [[UInt8]] = []
        let started = Date()
        for index in 0..<count {
            let due = started.addingTimeInterval(Double(index) / Double(count))
            while Date() < due { replies += client.receiveWaiting() }
            client.send(RawDNSClient.query(Self.name, id: UInt16(index), edns: index % 2 == 0), port: server.port)
        }
        // On a busy machine sending may take longer than the second planned; the allowance grows with it.
        let elapsed = Date().timeIntervalSince(started)
        replies += client.receive(until: count, timeout: 1)
        let full = replies.filter { $0[2] & 0x02 == 0 }
        let truncated = replies.filter { $0[2] & 0x02 != 0 }
        // One second's worth of burst plus one second at the rate: about 2N.
        #expect(full.count >= 150 && Double(full.count) <= 100 * (1 + elapsed) + 5, "\(full.count) full answers in \(elapsed) s")
        #expect(full.allSatisfy { $0[7] == 1 && $0[3] & 0x0F == 0 })
        // The rest alternate: a slip (TC, no records, the OPT kept when asked) or nothing.
        let limited = count - full.count
        #expect(abs(truncated.count - limited / 2) <= limited / 10, "\(truncated.count) truncated of \(limited)")
        for reply in truncated {
            let asked = (Int(reply[0]) << 8 | Int(reply[1])) % 2 == 0
            #expect(reply[7] == 0 && reply[9] == 0 && reply[11] == (asked ? 1 : 0) && reply[5] == 1)
        }

        // Another /24 is answered in full at once; so is the limited client over TCP.
        let other = try #require(UDPClient(source: "127.0.1.1"))
        other.send(RawDNSClient.query(Self.name, id: 7), port: server.port)
        let otherReply = other.receive(until: 1, timeout: 2).first
        #expect(otherReply.map { $0[2] & 0x02 == 0 && $0[7] == 1 } == true)
        #expect(try server.dig(["+tcp", "+short", Self.name]) == "10.97.97.97\n")

        let metrics = HTTPClient.request(port: http, path: "/metrics")?.body ?? ""
        let series = "clusterdns_dns_ratelimited_responses_total{server=\"dns://127.0.0.1:\(server.port)\""
        #expect(OperationsEndToEndTests.metric(metrics, "\(series),action=\"slip\"}") == Double(truncated.count))
        #expect(OperationsEndToEndTests.metric(metrics, "\(series),action=\"drop\"}") >= Double(limited - truncated.count - 5))
        // Logged, but not once per response: at most one line per 10 s.
        let lines = server.log.split(separator: "\n").filter { $0.contains("limit=response-rate-limit") }
        #expect(lines.count >= 1 && lines.count <= 2)
    }

    @Test func offByDefault() throws {
        let server = try ServerProcess(["--manifests", "zones", "--lameduck", "0"])
        defer { server.stop() }
        let client = try #require(UDPClient())
        for index in 0..<500 { client.send(RawDNSClient.query(Self.name, id: UInt16(index)), port: server.port) }
        let replies = client.receive(until: 500, timeout: 5)
        #expect(replies.count == 500)
        #expect(replies.allSatisfy { $0[2] & 0x02 == 0 })
    }
}
