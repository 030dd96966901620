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
        #expect(later.answer.records[0].ttl == 90)
        #expect(later.fromCache)
        #expect(cache.lookup(question, now: 1120) == nil, "expired at its TTL")
        #expect(cache.hits == 1 && cache.misses == 1)
    }

    @Test func ttlsAreCappedAtTheMaximum() throws {
        var cache = ResponseCache(capacity: 10, maximumTTL: 60)
        let answer = ForwardedAnswer(rcode: 0, answer: [record("www.example.test.", .a, ttl: 86400, [192, 0, 2, 80])])
        #expect(cache.store(question, answer, now: 0) == 60)
        let value2 = cache.lookup(question, now: 0)
        #expect(try #require(value2).answer.records[0].ttl == 60)
    }

    @Test func negativeAnswersLiveForTheSOAMinimumCapped() throws {
        var cache = ResponseCache(capacity: 10, negativeMaximumTTL: 300)
        let nxdomain = ForwardedAnswer(rcode: 3, authority: [soa(ttl: 3600, minimum: 60)])
        #expect(cache.store(question, nxdomain, now: 0) == 60)
        let value3 = cache.lookup(question, now: 10)
        #expect(try #require(value3).authority.records[0].ttl == 50)
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

@Suite("The forwarder's cache: bounded in bytes")
struct ResponseCacheBytesTests {
    /// An answer of `count` A records at one owner: about what a 64 KiB TCP answer holds at 4,000.
    static func bigAnswer(_ name: String, count: Int) -> ForwardedAnswer {
        ForwardedAnswer(
            rcode: 0,
            answer: (0..<count).map { (index: Int) -> WireRecord in
                let rdata: [UInt8] = [10, UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index)]
                return WireRecord(owner: DomainName(name)!, type: .a, ttl: 300, rdata: rdata)
            })
    }

    static func ask(_ name: String) -> ForwardQuestion { ForwardQuestion(name: DomainName(name)!, type: .a) }

    @Test func anEntryCostsItsPackedBytesAndAFixedOverhead() {
        let answer = Self.bigAnswer("big.example.test.", count: 4000)
        let cost = ResponseCache.cost(of: Self.ask("big.example.test."), answer)
        // 4,000 records: 6 bytes each (length + address), the owner once; not 100 bytes each.
        #expect(cost == ResponseCache.entryOverhead + 18 + 18 + 10 + 4000 * 6)
    }

    @Test func theByteBudgetPushesOutTheLeastRecentlyUsed() {
        var cache = ResponseCache(capacity: 10_000, byteBudget: 100_000, maximumAnswerBytes: 64 << 10)
        for index in 0..<10 { cache.store(Self.ask("n\(index).test."), Self.bigAnswer("n\(index).test.", count: 4000), now: 0) }
        #expect(cache.bytes <= 100_000)
        #expect(cache.count == 4, "four 24 KB answers fit in 100 KB")
        #expect(cache.evictionsForBytes == 6 && cache.successEvictions == 6 && cache.evictionsForCount == 0)
        #expect(cache.lookup(Self.ask("n9.test."), now: 1) != nil)
        #expect(cache.lookup(Self.ask("n0.test."), now: 1) == nil)
        // Small answers fill it by count as before.
        var small = ResponseCache(capacity: 3, byteBudget: 100_000)
        for index in 0..<5 { small.store(Self.ask("s\(index).test."), Self.bigAnswer("s\(index).test.", count: 1), now: 0) }
        #expect(small.count == 3 && small.evictionsForCount == 2)
    }

    @Test func anAnswerOverTheSizeLimitIsNotCached() {
        var cache = ResponseCache(capacity: 100, byteBudget: 1 << 20, maximumAnswerBytes: 16 << 10)
        #expect(cache.store(Self.ask("big.test."), Self.bigAnswer("big.test.", count: 4000), now: 0) == 0)
        #expect(cache.tooLarge == 1 && cache.count == 0 && cache.bytes == 0)
        #expect(cache.store(Self.ask("ok.test."), Self.bigAnswer("ok.test.", count: 2000), now: 0) == 300)
    }

    @Test func bytesAreGivenBackOnExpiryReplacementAndEviction() {
        var cache = ResponseCache(capacity: 2, byteBudget: 1 << 20)
        let one = Self.bigAnswer("a.test.", count: 10)
        cache.store(Self.ask("a.test."), one, now: 0)
        let cost = cache.bytes
        cache.store(Self.ask("a.test."), one, now: 1)
        #expect(cache.bytes == cost, "replaced, not added")
        cache.store(Self.ask("b.test."), one, now: 1)
        cache.store(Self.ask("c.test."), one, now: 1)
        #expect(cache.count == 2 && cache.bytes == 2 * cost + 0)
        _ = cache.lookup(Self.ask("b.test."), now: 10_000)
        _ = cache.lookup(Self.ask("c.test."), now: 10_000)
        #expect(cache.count == 0 && cache.bytes == 0)
    }

    @Test func theBudgetHoldsWhateverIsStored() {
        var generator = SystemRandomNumberGenerator()
        var cache = ResponseCache(capacity: 50, byteBudget: 20_000, maximumAnswerBytes: 6_000)
        for step in 0..<400 {
            let name = "r\(Int.random(in: 0..<80, using: &generator)).test."
            cache.store(Self.ask(name), Self.bigAnswer(name, count: Int.random(in: 1...1200, using: &generator)), now: UInt64(step))
            #expect(cache.bytes <= 20_000 && cache.count <= 50)
            if cache.bytes > 20_000 { break }
        }
    }
}
