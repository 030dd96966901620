import DNSWire
import IPAddressing
import Testing
@testable import ZoneCompiler

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

    /// One RRset of A or AAAA records, written straight into bytes: exactly the general
    /// compiler's answer, whatever the owner's case, the TTL or the number of records; none for
    /// a wildcard owner, a mixed RRset, another type, or past the direct limit.
    static let addressCases: [(owner: String, addresses: [String], ttl: UInt32, direct: Bool)] = [
        ("web.dev.svc.cluster.local.", ["10.96.0.5"], 5, true),
        ("Web.Dev.svc.cluster.local.", ["10.244.0.2", "10.244.0.3", "10.244.1.9"], 30, true),
        ("db.prod.svc.cluster.local.", ["fd00:10:96::5"], 0x0102_0304, true),
        ("db.prod.svc.cluster.local.", ["fd00:10:244::2", "fd00:10:244::1:7", "2001:db8::1"], 5, true),
        ("x.", ["192.0.2.1"], 0, true),
        ("*.wild.example.", ["192.0.2.1"], 5, false),
        ("web.dev.svc.cluster.local.", ["10.96.0.5", "fd00::5"], 5, false),
        ("web.dev.svc.cluster.local.", [], 5, false),
        (".", ["192.0.2.1"], 5, false),
    ]

    @Test(arguments: 0..<Self.addressCases.count)
    func addressAnswerIsTheGeneralCompilersOrNone(_ index: Int) throws {
        let test = Self.addressCases[index]
        let owner = try #require(DomainName(test.owner))
        let records = try test.addresses.map { ResourceRecord(owner, ttl: test.ttl, RData(address: try #require(IPAddress($0)))) }
        let direct = EntryCompiler.addressAnswer(owner, records)
        guard test.direct else {
            #expect(direct == nil)
            return
        }
        let general = EntryCompiler.compile(owner, answer: records, additional: [], rcode: .noError)
        #expect(direct == general)
        #expect(direct?.bytes == general.bytes)
    }

    /// An A record holding an IPv6 address (no parser makes one) is not written with the
    /// length of the other family.
    @Test func addressAnswerRefusesAnAddressOfTheOtherFamily() throws {
        let owner = try #require(DomainName("web.dev.svc.cluster.local."))
        let address = try #require(IPAddress("fd00::1"))
        #expect(EntryCompiler.addressAnswer(owner, [ResourceRecord(owner, ttl: 5, .a(address))]) == nil)
    }

    @Test func addressAnswerStopsAtItsLimit() throws {
        let owner = try #require(DomainName("big.dev.svc.cluster.local."))
        let records = (0...EntryCompiler.maximumDirectAddresses).map {
            ResourceRecord(owner, ttl: 5, RData(address: IPAddress(ipv4: 0x0A00_0000 + UInt32($0))))
        }
        #expect(EntryCompiler.addressAnswer(owner, Array(records.dropLast()))?.answerCount == UInt16(EntryCompiler.maximumDirectAddresses))
        #expect(EntryCompiler.addressAnswer(owner, records) == nil)
    }

    /// PTR owners laid into a shard directly: byte for byte the shard of the entries
    /// `pointerEntry` makes of them, beside other entries (an apex, an empty non-terminal), whatever
    /// the family, the target's case and length, the TTL and the zone; and only where
    /// `pointerEntry` makes one.
    @Test(arguments: 0..<Self.pointerCases.count)
    func directPointersLayOutAsTheirEntries(_ index: Int) throws {
        let test = Self.pointerCases[index]
        let owner = try #require(DomainName(test.owner))
        let target = try #require(DomainName(test.target))
        let pointer = DirectEntry(owner: owner, target: target, ttl: test.ttl, zone: 7)
        #expect((pointer != nil) == test.direct)
        guard let pointer, let entry = EntryCompiler.pointerEntry(owner, target: target, ttl: test.ttl, zone: 7) else { return }
        let blob = CompiledBlob(rcode: 0, bytes: [9, 9, 9], answerCount: 1, cuts: [CutPoint(end: 2, answerCount: 1, authorityCount: 0, additionalCount: 0)])
        let others = [
            CompiledEntry(name: try #require(DomainName("10.in-addr.arpa.")).wire, zone: 7, typed: [(6, blob), (2, blob)], other: blob),
            CompiledEntry(name: try #require(DomainName("0.96.10.in-addr.arpa.")).wire, zone: 7),
        ]
        // More owners of the same shape, so the shard's shared tail and its slots are exercised.
        var pointers = [pointer]
        var entries = [entry]
        for octet in 1...40 {
            let name = try #require(DomainName("\(octet).7.96.10.in-addr.arpa."))
            pointers.append(try #require(DirectEntry(owner: name, target: target, ttl: test.ttl &+ UInt32(octet), zone: octet)))
            entries.append(try #require(EntryCompiler.pointerEntry(name, target: target, ttl: test.ttl &+ UInt32(octet), zone: octet)))
        }
        for (direct, general) in [
            (AnswerShard(entries: others, direct: pointers), AnswerShard(entries: others + entries)),
            (AnswerShard(entries: [], direct: [pointer]), AnswerShard(entries: [entry])),
        ] {
            #expect(direct.records == general.records)
            #expect(direct.suffix == general.suffix)
            #expect(direct.slots == general.slots)
            #expect(direct.cuts == general.cuts)
            #expect(direct.count == general.count)
        }
    }

    /// A name with one address record laid into a shard directly: byte for byte the shard of
    /// the entry the general compiler makes of it, whatever the family, the owner's case and the
    /// TTL; none for a wildcard owner, the root, or an A record holding an IPv6 address.
    @Test(arguments: 0..<Self.addressCases.count)
    func directAddressesLayOutAsTheirEntries(_ index: Int) throws {
        let test = Self.addressCases[index]
        let owner = try #require(DomainName(test.owner))
        let records = try test.addresses.map { ResourceRecord(owner, ttl: test.ttl, RData(address: try #require(IPAddress($0)))) }
        guard let record = records.first else { return }
        let direct = DirectEntry(owner: owner, record: record, zone: 4)
        #expect((direct != nil) == (test.direct || test.addresses.count > 1), "\(test.owner)")
        guard let direct else { return }
        let general = EntryCompiler.compile(records: [record], zoneOf: { _ in 4 }, lookup: { _ in .outside })
        let laidOut = AnswerShard(entries: [], direct: [direct])
        let expected = AnswerShard(entries: general)
        #expect(laidOut.records == expected.records)
        #expect(laidOut.suffix == expected.suffix)
        #expect(laidOut.slots == expected.slots)
        #expect(laidOut.cuts == expected.cuts)
    }

    @Test func directAddressRefusesAnAddressOfTheOtherFamilyAndAnotherOwner() throws {
        let owner = try #require(DomainName("web.dev.svc.cluster.local."))
        let other = try #require(DomainName("db.dev.svc.cluster.local."))
        let v6 = try #require(IPAddress("fd00::1"))
        let v4 = try #require(IPAddress("10.0.0.1"))
        #expect(DirectEntry(owner: owner, record: ResourceRecord(owner, ttl: 5, .a(v6)), zone: 0) == nil)
        #expect(DirectEntry(owner: owner, record: ResourceRecord(owner, ttl: 5, .aaaa(v4)), zone: 0) == nil)
        #expect(DirectEntry(owner: owner, record: ResourceRecord(other, ttl: 5, .a(v4)), zone: 0) == nil)
    }

    /// A namespace's records compiled for a shard, with its one-address names laid out
    /// directly: the same names and answers as the shard of the general compiler's entries.
    @Test func compiledForAShardAnswersAsTheGeneralCompiler() throws {
        func name(_ text: String) throws -> DomainName { try #require(DomainName(text)) }
        let service = try name("web.dev.svc.cluster.local.")
        let headless = try name("db.dev.svc.cluster.local.")
        let records = [
            ResourceRecord(service, ttl: 5, .a(try #require(IPAddress("10.96.0.5")))),
            ResourceRecord(try name("_http._tcp.web.dev.svc.cluster.local."), ttl: 5, .srv(priority: 0, weight: 100, port: 80, target: service)),
            ResourceRecord(try name("db-0.db.dev.svc.cluster.local."), ttl: 5, .a(try #require(IPAddress("10.244.0.7")))),
            ResourceRecord(try name("db-1.db.dev.svc.cluster.local."), ttl: 5, .aaaa(try #require(IPAddress("fd00::7")))),
            ResourceRecord(headless, ttl: 5, .a(try #require(IPAddress("10.244.0.7")))),
            ResourceRecord(headless, ttl: 5, .aaaa(try #require(IPAddress("fd00::7")))),
            ResourceRecord(try name("ext.dev.svc.cluster.local."), ttl: 5, .cname(try name("example.com."))),
            ResourceRecord(try name("10-244-0-9.dev.pod.cluster.local."), ttl: 5, .a(try #require(IPAddress("10.244.0.9")))),
        ]
        let roots = [try name("dev.svc.cluster.local."), try name("dev.pod.cluster.local.")]
        let addAncestors: (DomainName) -> Bool = { name in roots.contains { name.isSubdomain(of: $0) } }
        let general = EntryCompiler.compile(
            records: records, emptyNames: roots, addAncestors: addAncestors, zoneOf: { _ in 0 }, lookup: { _ in .outside })
        let split = EntryCompiler.compileForShard(
            records: records, emptyNames: roots, addAncestors: addAncestors, zoneOf: { _ in 0 }, lookup: { _ in .outside })
        #expect(split.direct.count == 8, "the service, its port and its `_tcp`, the two endpoints, the pod, the two roots")
        #expect(Set(AnswerShard(entries: split.entries, direct: split.direct).entries()) == Set(AnswerShard(entries: general).entries()))
        #expect(Set(AnswerShard(entries: split.entries, direct: split.direct).entries()).count == general.count)
    }

    /// An SRV owner with one record to an ancestor of it, with that ancestor's addresses as
    /// additional data, laid out directly: byte for byte the shard of the general compiler's
    /// entry (the target whole, the additional records' owner a pointer into the question, the
    /// cut points between the RRsets); none for a target elsewhere, more than one address of a
    /// family, or a wildcard owner.
    static let serviceCases: [(owner: String, target: String, addresses: [String], direct: Bool)] = [
        ("_http._tcp.web.dev.svc.cluster.local.", "web.dev.svc.cluster.local.", ["10.96.0.5"], true),
        ("_http._tcp.web.dev.svc.cluster.local.", "web.dev.svc.cluster.local.", ["fd00:10:96::5"], true),
        ("_http._tcp.web.dev.svc.cluster.local.", "web.dev.svc.cluster.local.", ["10.96.0.5", "fd00:10:96::5"], true),
        ("_http._tcp.web.dev.svc.cluster.local.", "web.dev.svc.cluster.local.", [], true),
        ("_Http._TCP.web.dev.svc.cluster.local.", "Web.Dev.svc.cluster.local.", ["10.96.0.5"], true),
        ("_dns._udp.kube-dns.kube-system.svc.a-much-longer-cluster-domain.example.", "kube-dns.kube-system.svc.a-much-longer-cluster-domain.example.", ["10.96.0.10"], true),
        ("_http._tcp.web.dev.svc.cluster.local.", "db.dev.svc.cluster.local.", ["10.96.0.6"], false),
        ("_http._tcp.web.dev.svc.cluster.local.", "web.dev.svc.cluster.local.", ["10.96.0.5", "10.96.0.6"], false),
        ("*.web.dev.svc.cluster.local.", "web.dev.svc.cluster.local.", ["10.96.0.5"], false),
        // The target the owner itself: its addresses would be the owner's own (none here).
        ("_http._tcp.web.dev.svc.cluster.local.", "_http._tcp.web.dev.svc.cluster.local.", [], true),
        // The root: the general writer spells it as one byte, never a pointer.
        ("_http._tcp.web.dev.svc.cluster.local.", ".", ["10.96.0.5"], false),
        ("_http._tcp.web.dev.svc.cluster.local.", ".", [], false),
    ]

    @Test(arguments: 0..<Self.serviceCases.count)
    func directServicesLayOutAsTheirEntries(_ index: Int) throws {
        let test = Self.serviceCases[index]
        let owner = try #require(DomainName(test.owner))
        let target = try #require(DomainName(test.target))
        let service = ResourceRecord(owner, ttl: 5, .srv(priority: 0, weight: 100, port: 8080, target: target))
        let addresses = try test.addresses.map { ResourceRecord(target, ttl: 7, RData(address: try #require(IPAddress($0)))) }
        let direct = DirectEntry(owner: owner, service: service, additional: addresses, zone: 2)
        #expect((direct != nil) == test.direct)
        guard let direct else { return }
        try DirectSetEntryTests.expectSameShard(direct, [service] + addresses, owner: owner)
    }

    /// A name with one record of any other type, or a CNAME, takes the general path.
    @Test func otherOneRecordNamesAreCompiledAsEntries() throws {
        func name(_ text: String) throws -> DomainName { try #require(DomainName(text)) }
        let records = [
            ResourceRecord(try name("txt.example."), ttl: 5, .txt([Array("v=1".utf8)])),
            ResourceRecord(try name("ns.example."), ttl: 5, .ns(try name("a.example."))),
            ResourceRecord(try name("mx.example."), ttl: 5, .mx(preference: 10, exchange: try name("a.example."))),
            ResourceRecord(try name("alias.example."), ttl: 5, .cname(try name("a.example."))),
        ]
        let split = EntryCompiler.compileForShard(records: records, zoneOf: { _ in 1 }, lookup: { _ in .outside })
        #expect(split.direct.isEmpty)
        #expect(split.entries == EntryCompiler.compile(records: records, zoneOf: { _ in 1 }, lookup: { _ in .outside }))
    }

    @Test func directEmptyNameLaysOutAsItsEntry() throws {
        let name = try #require(DomainName("_tcp.Web.dev.svc.cluster.local."))
        let general = EntryCompiler.compile(records: [], emptyNames: [name], zoneOf: { _ in 3 }, lookup: { _ in .outside })
        let laidOut = AnswerShard(entries: [], direct: [DirectEntry(emptyName: name, zone: 3)])
        #expect(laidOut.records == AnswerShard(entries: general).records)
        #expect(laidOut.slots == AnswerShard(entries: general).slots)
    }
}
