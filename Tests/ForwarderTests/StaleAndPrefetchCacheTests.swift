import DNSWire
import Forwarder
import Testing

/// RFC 8767 serve-stale and prefetch, as the cache decides them (times in seconds).
@Suite("The forwarder's cache: stale answers and prefetch")
struct StaleAndPrefetchCacheTests {
    private let question = ForwardQuestion(name: DomainName("www.example.test.")!, type: .a)

    private func answer(ttl: UInt32) -> ForwardedAnswer {
        ForwardedAnswer(rcode: 0, answer: [WireRecord(owner: question.name, type: .a, ttl: ttl, rdata: [192, 0, 2, 80])])
    }

    private func nxdomain(negativeTTL: UInt32) -> ForwardedAnswer {
        var rdata = DomainName("ns.example.test.")!.wire + DomainName("admin.example.test.")!.wire
        for value: UInt32 in [1, 3600, 600, 86400, negativeTTL] {
            rdata += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        }
        return ForwardedAnswer(
            rcode: 3, authority: [WireRecord(owner: DomainName("example.test.")!, type: .soa, ttl: 3600, rdata: rdata)])
    }

    @Test func withoutAStaleWindowAnExpiredEntryIsGone() {
        var cache = ResponseCache(capacity: 10)
        cache.store(question, self.answer(ttl: 10), now: 100)
        #expect(cache.find(question, now: 110) == .miss)
        #expect(cache.count == 0)
    }

    @Test func insideTheWindowAnExpiredEntryIsStaleWithTTL30() {
        var cache = ResponseCache(capacity: 10, staleWindow: 3600)
        cache.store(question, self.answer(ttl: 300), now: 0)
        guard case .stale(let stale, let recheckPending) = cache.find(question, now: 1000) else {
            Issue.record("not stale")
            return
        }
        #expect(!recheckPending)
        #expect(stale.isStale)
        #expect(stale.answer.records.map(\.ttl) == [30])
        // After a failed refresh, stale at once for 30 s (RFC 8767 §5), then upstream again.
        cache.refreshFailed(question, now: 1000)
        #expect(cache.find(question, now: 1029) == .stale(stale, recheckPending: true))
        #expect(cache.find(question, now: 1030) == .stale(stale, recheckPending: false))
        // Past the window: gone.
        #expect(cache.find(question, now: 300 + 3600) == .miss)
        #expect(cache.count == 0)
        // A fresh answer stored again is fresh.
        cache.store(question, self.answer(ttl: 300), now: 5000)
        guard case .fresh(let fresh, false) = cache.find(question, now: 5001) else {
            Issue.record("not fresh")
            return
        }
        #expect(!fresh.isStale && fresh.answer.records.map(\.ttl) == [299])
    }

    @Test func aStaleDenialKeepsItsShorterNegativeTTL() {
        var cache = ResponseCache(capacity: 10, staleWindow: 600)
        cache.store(question, self.nxdomain(negativeTTL: 20), now: 0)
        guard case .stale(let stale, _) = cache.find(question, now: 25) else {
            Issue.record("not stale")
            return
        }
        #expect(stale.rcode == 3)
        #expect(stale.authority.records.map(\.ttl) == [20])
    }

    @Test func aPopularEntryIsFlaggedOnceInTheLastTenthOfItsLife() {
        var cache = ResponseCache(capacity: 10, prefetch: true)
        cache.store(question, self.answer(ttl: 10), now: 0)
        // Asked twice (the fetch and this) but not late: no.
        guard case .fresh(_, let early) = cache.find(question, now: 5) else {
            Issue.record("not fresh")
            return
        }
        #expect(!early)
        guard case .fresh(_, let late) = cache.find(question, now: 9) else {
            Issue.record("not fresh")
            return
        }
        #expect(late)
        guard case .fresh(_, let again) = cache.find(question, now: 9) else {
            Issue.record("not fresh")
            return
        }
        #expect(!again, "flagged once per lifetime")
    }

    @Test func anEntryAskedOnlyOnceIsNotPrefetched() {
        var cache = ResponseCache(capacity: 10, prefetch: true)
        cache.store(question, self.answer(ttl: 10), now: 0)
        // The late ask is the second: flagged. Without prefetch configured: never.
        var off = ResponseCache(capacity: 10)
        off.store(question, self.answer(ttl: 10), now: 0)
        guard case .fresh(_, let flagged) = off.find(question, now: 9) else {
            Issue.record("not fresh")
            return
        }
        #expect(!flagged)
        guard case .fresh(_, let first) = cache.find(question, now: 9) else {
            Issue.record("not fresh")
            return
        }
        #expect(first, "the fetch that stored it counts as the first ask")
    }
}
