import DNSWire
import IPAddressing
import Testing

@testable import ZoneCompiler

/// Names with more than one record laid into a shard directly (a headless service's name and its
/// ports' SRV owners) must be byte for byte the shard of the entry the general compiler makes of
/// the same records: the records in canonical order, the SRV targets whole, each additional
/// record's owner a pointer to its target where the answer spells it, the cut points between the
/// RRsets.
@Suite("RRsets of several records laid out directly: the general compiler's entries")
struct DirectSetEntryTests {
    static func name(_ text: String) throws -> DomainName { try #require(DomainName(text)) }

    /// `direct`'s shard against the shard of the general compiler's entry of `owner` among
    /// `records` (zone 2): the same bytes, slots and cut points, and the same entry read back.
    static func expectSameShard(_ direct: DirectEntry, _ records: [ResourceRecord], owner: DomainName) throws {
        let general = try #require(
            EntryCompiler.compile(records: records, zoneOf: { _ in 2 }, lookup: { _ in .outside }).first {
                $0.name == owner.lowercased.wire
            })
        let laidOut = AnswerShard(entries: [], direct: [direct])
        let expected = AnswerShard(entries: [general])
        #expect(laidOut.records == expected.records)
        #expect(laidOut.slots == expected.slots)
        #expect(laidOut.cuts == expected.cuts)
        #expect(laidOut.entries() == expected.entries())
        #expect(direct.compiledEntry == general)
    }

    /// Addresses given in any order; none for a wildcard owner, both families, none at all.
    static let addressCases: [(owner: String, addresses: [String], direct: Bool)] = [
        ("db.dev.svc.cluster.local.", ["10.244.0.9", "10.244.0.2", "10.244.1.3", "10.244.0.10"], true),
        ("DB.Dev.svc.cluster.local.", ["10.244.0.2", "10.244.0.3"], true),
        ("db.dev.svc.cluster.local.", ["fd00:10:244::1:7", "fd00:10:244::2", "2001:db8::1"], true),
        ("db.dev.svc.cluster.local.", ["10.244.0.2"], true),
        ("*.db.dev.svc.cluster.local.", ["10.244.0.2", "10.244.0.3"], false),
        ("db.dev.svc.cluster.local.", ["10.244.0.2", "fd00::2"], false),
        ("db.dev.svc.cluster.local.", [], false),
        (".", ["192.0.2.1", "192.0.2.2"], false),
    ]

    @Test(arguments: 0..<Self.addressCases.count)
    func addressSetsLayOutAsTheirEntries(_ index: Int) throws {
        let test = Self.addressCases[index]
        let owner = try Self.name(test.owner)
        let addresses = try test.addresses.map { try #require(IPAddress($0)) }
        let direct = DirectEntry(owner: owner, addresses: addresses, ttl: 30, zone: 2)
        #expect((direct != nil) == test.direct)
        guard let direct else { return }
        try Self.expectSameShard(direct, addresses.map { ResourceRecord(owner, ttl: 30, RData(address: $0)) }, owner: owner)
    }

    @Test func addressSetsStopAtTheDirectLimit() throws {
        let owner = try Self.name("big.dev.svc.cluster.local.")
        let addresses = (0...EntryCompiler.maximumDirectAddresses).map { IPAddress(ipv4: 0x0A00_0000 + UInt32($0)) }
        #expect(DirectEntry(owner: owner, addresses: Array(addresses.dropLast()), ttl: 5, zone: 0) != nil)
        #expect(DirectEntry(owner: owner, addresses: addresses, ttl: 5, zone: 0) == nil)
    }

    /// An SRV RRset: (weight, port, target, the target's address) per record, in the order given.
    static let serviceCases: [(owner: String, records: [(weight: UInt16, port: UInt16, target: String, address: String?)], direct: Bool)] = [
        // A headless service's port: endpoint names below the service, one address each.
        ("_pg._tcp.db.dev.svc.cluster.local.", [
            (33, 5432, "db-0.db.dev.svc.cluster.local.", "10.244.0.7"),
            (33, 5432, "db-1.db.dev.svc.cluster.local.", "10.244.0.8"),
            (33, 5432, "db-2.db.dev.svc.cluster.local.", "10.244.0.9"),
        ], true),
        // Out of canonical order: ports first, then the targets' bytes; one target without an
        // address (no additional record), one IPv6.
        ("_pg._tcp.db.dev.svc.cluster.local.", [
            (50, 6000, "b.db.dev.svc.cluster.local.", "10.244.0.7"),
            (50, 5432, "c.db.dev.svc.cluster.local.", nil),
            (50, 5432, "a.db.dev.svc.cluster.local.", "fd00:10:244::8"),
            (50, 5432, "10-244-0-9.db.dev.svc.cluster.local.", "10.244.0.9"),
        ], true),
        // Weights compared before ports.
        ("_pg._tcp.db.dev.svc.cluster.local.", [
            (60, 1, "a.db.dev.svc.cluster.local.", "10.244.0.1"),
            (10, 9, "b.db.dev.svc.cluster.local.", "10.244.0.2"),
        ], true),
        // Case kept in the target as written, folded where compared and pointed at.
        ("_Pg._TCP.DB.dev.svc.cluster.local.", [
            (50, 5432, "DB-1.db.Dev.svc.cluster.local.", "10.244.0.8"),
            (50, 5432, "db-0.DB.dev.svc.cluster.local.", "10.244.0.7"),
        ], true),
        // One record to a name that is not an ancestor (a headless service with one endpoint).
        ("_pg._tcp.db.dev.svc.cluster.local.", [(100, 5432, "db-0.db.dev.svc.cluster.local.", "10.244.0.7")], true),
        // No additional data at all.
        ("_pg._tcp.db.dev.svc.cluster.local.", [
            (50, 5432, "x.example.", nil), (50, 5432, "y.example.", nil),
        ], true),
        // Targets elsewhere in the tree, of equal depth.
        ("_pg._tcp.db.dev.svc.cluster.local.", [
            (50, 5432, "db-0.other.prod.svc.cluster.local.", "10.244.0.7"),
            (50, 5432, "db-0.db.dev.svc.cluster.local.", "10.244.0.8"),
        ], true),
        // Refused: the owner itself or an ancestor of it as a target (its additional record's
        // owner would point into the question), targets inside one another, the same target
        // twice, a wildcard owner, the root as target.
        ("_pg._tcp.db.dev.svc.cluster.local.", [
            (50, 5432, "_pg._tcp.db.dev.svc.cluster.local.", "10.96.0.1"), (50, 5432, "x._tcp.db.dev.svc.cluster.local.", "10.244.0.7"),
        ], false),
        ("_pg._tcp.db.dev.svc.cluster.local.", [
            (50, 5432, "db.dev.svc.cluster.local.", "10.96.0.1"), (50, 5432, "zz.dev.svc.cluster.local.", "10.244.0.7"),
        ], false),
        ("_pg._tcp.db.dev.svc.cluster.local.", [
            (50, 5432, "a.db.dev.svc.cluster.local.", "10.244.0.1"), (50, 5432, "x.a.db.dev.svc.cluster.local.", "10.244.0.2"),
        ], false),
        ("_pg._tcp.db.dev.svc.cluster.local.", [
            (50, 5432, "a.db.dev.svc.cluster.local.", "10.244.0.1"), (50, 6000, "A.db.dev.svc.cluster.local.", "10.244.0.1"),
        ], false),
        ("*.db.dev.svc.cluster.local.", [
            (50, 5432, "a.db.dev.svc.cluster.local.", "10.244.0.1"), (50, 5432, "b.db.dev.svc.cluster.local.", "10.244.0.2"),
        ], false),
        ("_pg._tcp.db.dev.svc.cluster.local.", [(50, 5432, ".", nil), (50, 5432, ".", nil)], false),
    ]

    static func serviceRecords(_ index: Int) throws -> (owner: DomainName, records: [ResourceRecord], set: [DirectEntry.ServiceRecord]) {
        let test = Self.serviceCases[index]
        let owner = try Self.name(test.owner)
        var records: [ResourceRecord] = []
        var set: [DirectEntry.ServiceRecord] = []
        var additional: [ResourceRecord] = []
        for record in test.records {
            let target = try Self.name(record.target)
            records.append(ResourceRecord(owner, ttl: 30, .srv(priority: 0, weight: record.weight, port: record.port, target: target)))
            let address = try record.address.map { try #require(IPAddress($0)) }
            if let address { additional.append(ResourceRecord(target, ttl: 7, RData(address: address))) }
            set.append(
                DirectEntry.ServiceRecord(
                    priority: 0, weight: record.weight, port: record.port, target: target,
                    additional: address.map { DirectEntry.Additional(ttl: 7, address: $0) }))
        }
        return (owner, records + additional, set)
    }

    @Test(arguments: 0..<Self.serviceCases.count)
    func serviceSetsLayOutAsTheirEntries(_ index: Int) throws {
        let (owner, records, set) = try Self.serviceRecords(index)
        let direct = DirectEntry(owner: owner, services: set, ttl: 30, zone: 2)
        #expect((direct != nil) == Self.serviceCases[index].direct)
        guard let direct else { return }
        try Self.expectSameShard(direct, records, owner: owner)
    }

    /// The longest answer laid out directly ends within the first 16 KiB of the message, where
    /// every target can be pointed at; one more record, and the general compiler writes it.
    @Test func serviceSetsStayWhereEveryTargetCanBePointedAt() throws {
        let owner = try Self.name("_pg._tcp.db.dev.svc.cluster.local.")
        var set: [DirectEntry.ServiceRecord] = []
        var records: [ResourceRecord] = []
        var additional: [ResourceRecord] = []
        var last: (DirectEntry, [ResourceRecord])?
        for index in 0..<1000 {
            let target = try Self.name("endpoint-with-a-long-hostname-\(1000 + index).db.dev.svc.cluster.local.")
            let address = IPAddress(ipv4: 0x0AF4_0000 + UInt32(index))
            set.append(DirectEntry.ServiceRecord(priority: 0, weight: 0, port: 5432, target: target, additional: DirectEntry.Additional(ttl: 5, address: address)))
            records.append(ResourceRecord(owner, ttl: 5, .srv(priority: 0, weight: 0, port: 5432, target: target)))
            additional.append(ResourceRecord(target, ttl: 5, RData(address: address)))
            guard let direct = DirectEntry(owner: owner, services: set, ttl: 5, zone: 2) else { break }
            last = (direct, records + additional)
        }
        let (direct, lastRecords) = try #require(last)
        #expect(set.count > 100 && set.count < 1000)
        #expect(16 + owner.wire.count + direct.answerLength <= 0x4000)
        #expect(16 + owner.wire.count + direct.answerLength + set[set.count - 1].length + 16 > 0x4000)
        try Self.expectSameShard(direct, lastRecords, owner: owner)
    }
}
