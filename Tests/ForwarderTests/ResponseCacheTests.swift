import DNSWire
import Forwarder
import Testing

@Suite("The forwarder's cache: TTLs honoured, capped, counted down; bounded")
struct ResponseCacheTests {
    private let question = ForwardQuestion(name: DomainName("www.example.test.")!, type: .a)

    private func record(_ owner: String, _ type: RRType, ttl: UInt32, _ rdata: [UInt8]) -> WireRecord {
        WireRecord(owner: DomainName(owner)!, type: type, ttl: ttl, rdata: rdata)
    }

    private func soa(ttl: UInt32, minimum: UInt32) -> WireRecord {
        var rdata = DomainName("ns.example.test.")!.wire + DomainName("admin.example.test.")!.wire
        for value: UInt32 in [1, 3600, 600, 86400, minimum] {
            rdata += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        }
        return record("example.test.", .soa, ttl: ttl, rdata)
    }

    @Test func positiveAnswerIsServedWithTTLCountedDown() throws {
        var cache = ResponseCache(capacity: 10)
        let answer = ForwardedAnswer(rcode: 0, answer: [record("www.example.test.", .a, ttl: 120, [192, 0, 2, 80])])
        #expect(cache.store(question, answer, now: 1000) == 120)
        let value1 = cache.lookup(question, now: 1030)
        let later = try #require(value1)
        #expect(later.answer[0].ttl == 90)
        #expect(later.fromCache)
        #expect(cache.lookup(question, now: 1120) == nil, "expired at its TTL")
        #expect(cache.hits == 1 && cache.misses == 1)
    }

    @Test func ttlsAreCappedAtTheMaximum() throws {
        var cache = ResponseCache(capacity: 10, maximumTTL: 60)
        let answer = ForwardedAnswer(rcode: 0, answer: [record("www.example.test.", .a, ttl: 86400, [192, 0, 2, 80])])
        #expect(cache.store(question, answer, now: 0) == 60)
        let value2 = cache.lookup(question, now: 0)
        #expect(try #require(value2).answer[0].ttl == 60)
    }

    @Test func negativeAnswersLiveForTheSOAMinimumCapped() throws {
        var cache = ResponseCache(capacity: 10, negativeMaximumTTL: 300)
        let nxdomain = ForwardedAnswer(rcode: 3, authority: [soa(ttl: 3600, minimum: 60)])
        #expect(cache.store(question, nxdomain, now: 0) == 60)
        let value3 = cache.lookup(question, now: 10)
        #expect(try #require(value3).authority[0].ttl == 50)
        var capped = ResponseCache(capacity: 10, negativeMaximumTTL: 300)
        #expect(capped.store(question, ForwardedAnswer(rcode: 3, authority: [soa(ttl: 7200, minimum: 7200)]), now: 0) == 300)
        // NODATA is negative too; without a SOA nothing is cached (RFC 2308 §5).
        #expect(capped.store(question, ForwardedAnswer(rcode: 0, authority: [soa(ttl: 30, minimum: 900)]), now: 0) == 30)
        #expect(capped.store(question, ForwardedAnswer(rcode: 3), now: 0) == 0)
        #expect(capped.store(question, ForwardedAnswer(rcode: 2), now: 0) == 0)
    }

    @Test func hitsAndEntriesAreCountedAsSuccessOrDenial() throws {
        var cache = ResponseCache(capacity: 2)
        let other = ForwardQuestion(name: DomainName("nothere.example.test.")!, type: .a)
        let third = ForwardQuestion(name: DomainName("mail.example.test.")!, type: .a)
        cache.store(question, ForwardedAnswer(rcode: 0, answer: [record("www.example.test.", .a, ttl: 120, [192, 0, 2, 80])]), now: 0)
        cache.store(other, ForwardedAnswer(rcode: 3, authority: [soa(ttl: 3600, minimum: 60)]), now: 0)
        #expect((cache.count, cache.denialCount) == (2, 1))
        _ = cache.lookup(question, now: 1)
        _ = cache.lookup(other, now: 1)
        _ = cache.lookup(other, now: 2)
        #expect((cache.successHits, cache.denialHits, cache.misses) == (1, 2, 0))
        // Full: the least recently used entry (`question`, a positive one) makes room.
        cache.store(third, ForwardedAnswer(rcode: 0, answer: [record("mail.example.test.", .a, ttl: 120, [192, 0, 2, 25])]), now: 3)
        #expect((cache.count, cache.denialCount) == (2, 1), "the positive `question` entry went first")
        _ = cache.lookup(other, now: 100)  // expired: removed, a miss
        #expect((cache.count, cache.denialCount, cache.misses) == (1, 0, 1))
    }

    @Test func leastRecentlyUsedEntryIsEvictedFirst() {
        var cache = ResponseCache(capacity: 2)
        func ask(_ name: String) -> ForwardQuestion { ForwardQuestion(name: DomainName(name)!, type: .a) }
        let answer = ForwardedAnswer(rcode: 0, answer: [record("x.", .a, ttl: 100, [1, 2, 3, 4])])
        cache.store(ask("a."), answer, now: 0)
        cache.store(ask("b."), answer, now: 0)
        _ = cache.lookup(ask("a."), now: 1)  // a is now the most recent
        cache.store(ask("c."), answer, now: 2)
        #expect(cache.count == 2)
        #expect(cache.lookup(ask("a."), now: 3) != nil)
        #expect(cache.lookup(ask("b."), now: 3) == nil)
        #expect(cache.lookup(ask("c."), now: 3) != nil)
    }

    @Test func questionsDifferingOnlyInCaseShareAnEntry() {
        var cache = ResponseCache(capacity: 2)
        let answer = ForwardedAnswer(rcode: 0, answer: [record("x.", .a, ttl: 100, [1, 2, 3, 4])])
        cache.store(ForwardQuestion(name: DomainName("WWW.Example.TEST.")!, type: .a), answer, now: 0)
        #expect(cache.lookup(question, now: 1) != nil)
    }
}
