import DNSWire
import Testing
import ZoneCompiler

/// The direct path for a name with one plain RRset (each PTR owner of the reverse zones) must
/// make exactly the entry the general compiler makes of the same records.
@Suite("One-RRset entries: the general compiler's entry, made directly")
struct SingleRRsetEntryTests {
    static let cases: [(owner: String, targets: [String])] = [
        ("5.0.96.10.in-addr.arpa.", ["web.dev.svc.cluster.local."]),
        ("7.0.244.10.in-addr.arpa.", ["web.dev.svc.cluster.local.", "10-244-0-7.web.dev.svc.cluster.local.", "host-0.db.prod.svc.cluster.local."]),
        ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", ["a-very-long-service-name-that-is-still-a-label.some-namespace.svc.cluster.local."]),
    ]

    @Test(arguments: 0..<Self.cases.count)
    func sameAsTheGeneralCompiler(_ index: Int) throws {
        let owner = try #require(DomainName(Self.cases[index].owner))
        let records = try Self.cases[index].targets.map { ResourceRecord(owner, ttl: 5, .ptr(try #require(DomainName($0)))) }
        let general = EntryCompiler.compile(records: records, zoneOf: { _ in 3 }, lookup: { _ in .outside })
        #expect(general.count == 1)
        #expect(EntryCompiler.singleRRsetEntry(owner, records, zone: 3) == general.first)
    }

    /// A PTR owner with one target, written straight into bytes: the general compiler's entry,
    /// whatever the target's case, length or TTL; none where the target could be compressed
    /// against the question (a target under `arpa.`).
    static let pointerCases: [(owner: String, target: String, ttl: UInt32, direct: Bool)] = [
        ("5.0.96.10.in-addr.arpa.", "web.dev.svc.cluster.local.", 5, true),
        ("5.0.96.10.in-addr.arpa.", "Web.Dev.svc.Cluster.Local.", 30, true),
        ("9.8.7.6.in-addr.arpa.", "x.", 0x0102_0304, true),
        ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.",
         "a-very-long-service-name-that-is-still-a-label.some-namespace.svc.cluster.local.", 5, true),
        ("5.0.96.10.in-addr.arpa.", "web.dev.svc.in-addr.arpa.", 5, false),
        ("5.0.96.10.in-addr.arpa.", "web.dev.svc.ARPA.", 5, false),
        ("5.0.96.10.in-addr.arpa.", "web.notarpa.", 5, true),
        // An owner outside `arpa.` could share a suffix with any target: the general path.
        ("web.dev.svc.cluster.local.", "db.dev.svc.cluster.local.", 5, false),
    ]

    @Test(arguments: 0..<Self.pointerCases.count)
    func pointerEntryIsTheGeneralCompilersOrNone(_ index: Int) throws {
        let test = Self.pointerCases[index]
        let owner = try #require(DomainName(test.owner))
        let target = try #require(DomainName(test.target))
        let direct = EntryCompiler.pointerEntry(owner, target: target, ttl: test.ttl, zone: 3)
        guard test.direct else {
            #expect(direct == nil)
            return
        }
        let general = EntryCompiler.compile(
            records: [ResourceRecord(owner, ttl: test.ttl, .ptr(target))], zoneOf: { _ in 3 }, lookup: { _ in .outside })
        #expect(general.count == 1)
        #expect(direct == general.first)
        #expect(direct?.typed.first?.blob.bytes == general.first?.typed.first?.blob.bytes)
    }
}
