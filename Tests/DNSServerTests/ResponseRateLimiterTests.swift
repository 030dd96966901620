import NIOCore
import Testing

@testable import DNSServer

@Suite("Response rate limiting: the rate per client network")
struct ResponseRateLimiterTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    private func network(_ address: String) throws -> UInt64 {
        ResponseRateLimiter.network(of: try SocketAddress(ipAddress: address, port: 53))
    }

    private func decisions(
        _ limiter: ResponseRateLimiter, _ key: UInt64, count: Int, over seconds: Double, from start: NIODeadline
    ) -> [ResponseRateLimiter.Decision] {
        (0..<count).map { index in
            let offset = Int64(seconds * 1e9 * Double(index) / Double(count))
            return limiter.decide(network: key, now: start + .nanoseconds(offset))
        }
    }

    @Test func aBurstGetsOneSecondsWorthThenSlipsAndDropsAlternate() throws {
        let limiter = ResponseRateLimiter(responsesPerSecond: 100, now: self.start)
        let key = try network("192.0.2.7")
        let burst = self.decisions(limiter, key, count: 110, over: 0, from: self.start)
        #expect(burst.prefix(101).allSatisfy { $0 == .answer })
        #expect(Array(burst.dropFirst(101).prefix(4)) == [.slip, .drop, .slip, .drop])
        // A second later the allowance is back.
        #expect(limiter.decide(network: key, now: self.start + .seconds(1)) == .answer)
    }

    @Test func threeThousandInOneSecondGetAboutTwiceTheRate() throws {
        let limiter = ResponseRateLimiter(responsesPerSecond: 100, now: self.start)
        let result = self.decisions(limiter, try network("192.0.2.7"), count: 3000, over: 1, from: self.start)
        let answered = result.filter { $0 == .answer }.count
        #expect(answered >= 195 && answered <= 202)
        let slipped = result.filter { $0 == .slip }.count
        let dropped = result.filter { $0 == .drop }.count
        #expect(abs(slipped - dropped) <= 1)
    }

    @Test func aSteadyClientUnderTheRateIsNeverLimited() throws {
        let limiter = ResponseRateLimiter(responsesPerSecond: 100, now: self.start)
        let result = self.decisions(limiter, try network("192.0.2.7"), count: 900, over: 10, from: self.start)
        #expect(result.allSatisfy { $0 == .answer })
    }

    @Test func clientsShareTheLimitOfTheirSlash24OrSlash56() throws {
        #expect(try network("10.1.2.3") == network("10.1.2.250"))
        #expect(try network("10.1.2.3") != network("10.1.3.3"))
        #expect(try network("::ffff:10.1.2.9") == network("10.1.2.3"))
        #expect(try network("2001:db8:0:1::1") == network("2001:db8:0:ff::2"))
        #expect(try network("2001:db8:0:1::1") != network("2001:db8:0:100::1"))
        #expect(try network("10.1.2.3") != network("2001:db8::1"))

        let limiter = ResponseRateLimiter(responsesPerSecond: 10, now: self.start)
        _ = self.decisions(limiter, try network("10.1.2.3"), count: 50, over: 0, from: self.start)
        #expect(limiter.decide(network: try network("10.1.2.200"), now: self.start) != .answer)
        #expect(limiter.decide(network: try network("10.1.3.1"), now: self.start) == .answer)
    }

    @Test func aLimitedNetworkKeepsItsSlotWhileOthersPassThrough() throws {
        // One group of four slots: many other networks come and go, the limited one stays limited.
        let limiter = ResponseRateLimiter(responsesPerSecond: 10, slots: 4, now: self.start)
        let victim = try network("198.51.100.1")
        _ = self.decisions(limiter, victim, count: 50, over: 0, from: self.start)
        for index in 0..<200 {
            _ = limiter.decide(network: try network("10.0.\(index).1"), now: self.start)
        }
        #expect(limiter.decide(network: victim, now: self.start) != .answer)
    }
}
