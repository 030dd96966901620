import DNSWire
import Forwarder
import Testing

@Suite("TTLs: capped on the first reply as in the cache; the top bit means 0")
struct TTLPolicyTests {
    static let policy = TTLPolicy(maximumTTL: 3600, negativeMaximumTTL: 300)

    /// (answer, authority) as given → the TTLs served, in order.
    static let servedCases: [([String], [String], [UInt32])] = [
        (["www.example.test. 120 A 192.0.2.1"], [], [120]),
        (["www.example.test. 86400 A 192.0.2.1"], [], [3600]),
        // RFC 2181 §8: the top bit set makes a TTL 0, not 2^31 seconds.
        (["www.example.test. 2147483649 A 192.0.2.1"], [], [0]),
        (["www.example.test. 2147483648 A 192.0.2.1", "www.example.test. 60 A 192.0.2.2"], [], [0, 0]),
        // RFC 2308 §3: the SOA of a denial carries min(SOA TTL, MINIMUM), capped.
        ([], ["example.test. 3600 SOA ns.example.test. h.example.test. 1 2 3 4 60"], [60]),
        ([], ["example.test. 30 SOA ns.example.test. h.example.test. 1 2 3 4 900"], [30]),
        ([], ["example.test. 7200 SOA ns.example.test. h.example.test. 1 2 3 4 7200"], [300]),
        ([], ["example.test. 600 SOA ns.example.test. h.example.test. 1 2 3 4 4294967295"], [0]),
        (
            ["www.example.test. 86400 CNAME gone.example.test."], ["example.test. 600 SOA ns.example.test. h.example.test. 1 2 3 4 120"],
            [3600, 120]
        ),
    ]

    @Test(arguments: Self.servedCases)
    func servedTTLs(answer: [String], authority: [String], expected: [UInt32]) {
        let (served, _) = Self.policy.apply(to: ForwardedAnswer(rcode: 0, answer: answer.map(rr), authority: authority.map(rr)))
        #expect((served.answer.records + served.authority.records).map(\.ttl) == expected)
    }

    @Test func changesAreCountedByRRset() {
        let (_, changes) = Self.policy.apply(
            to: ForwardedAnswer(
                rcode: 0,
                answer: ["a.test. 86400 A 192.0.2.1", "a.test. 86400 A 192.0.2.2", "b.test. 2147483650 A 192.0.2.3"].map(rr)))
        #expect(changes == TTLPolicy.Changes(capped: 1, topBitSet: 1))
    }

    /// rcode, answer, authority → how long it is cached (nil: not at all).
    static let lifetimeCases: [(UInt16, [String], [String], UInt32?)] = [
        (0, ["www.example.test. 120 A 192.0.2.1", "www.example.test. 90 AAAA ::"], [], 90),
        (0, ["www.example.test. 0 A 192.0.2.1"], [], 0),
        (3, [], ["example.test. 3600 SOA ns.example.test. h.example.test. 1 2 3 4 60"], 60),
        (0, ["www.example.test. 30 CNAME x.example.test."], ["example.test. 600 SOA ns.example.test. h.example.test. 1 2 3 4 120"], 30),
        // RFC 2308 §5: a denial without a SOA is not cached.
        (3, [], [], nil),
        (0, [], [], nil),
        (2, ["www.example.test. 120 A 192.0.2.1"], [], nil),
    ]

    @Test(arguments: Self.lifetimeCases)
    func lifetimes(rcode: UInt16, answer: [String], authority: [String], expected: UInt32?) {
        let (served, _) = Self.policy.apply(to: ForwardedAnswer(rcode: rcode, answer: answer.map(rr), authority: authority.map(rr)))
        #expect(Self.policy.lifetime(of: served) == expected)
    }
}
