import DNSWire
import Testing

/// Two labels prepended at once make the name two single prepends make, and refuse what they
/// refuse: an empty or over-long label, or a name past 255 octets (RFC 1035 §2.3.4).
@Suite("Domain names: labels prepended")
struct DomainNamePrependingTests {
    static let cases: [(base: String, first: String, second: String)] = [
        ("web.dev.svc.cluster.local.", "_http", "_tcp"),
        ("Web.Dev.svc.cluster.local.", "_HTTP", "_udp"),
        (".", "a", "b"),
        ("x.", String(repeating: "a", count: 63), "_sctp"),
        ("x.", String(repeating: "a", count: 64), "_tcp"),
        ("x.", "_p", ""),
        // 241 octets: 252 with these two labels, 257 (refused) with the longer first one.
        (String(repeating: "abcdefghi.", count: 24), "_http", "_tcp"),
        (String(repeating: "abcdefghi.", count: 24), "_abcdefghi", "_tcp"),
    ]

    @Test(arguments: 0..<Self.cases.count)
    func twoLabelsAtOnceAreTwoPrepends(_ index: Int) throws {
        let test = Self.cases[index]
        let base = try #require(DomainName(test.base))
        let once = base.prepending(test.first, test.second)
        let twice = base.prepending(test.second).flatMap { $0.prepending(test.first) }
        #expect(once?.wire == twice?.wire)
        #expect((once == nil) == (index == 4 || index == 5 || index == 7), "refused exactly where a label or the name is too long")
    }
}
