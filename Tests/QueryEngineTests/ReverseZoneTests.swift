import ClusterModel
import DNSWire
import IPAddressing
import LDNSTestSupport
import Manifests
import QueryEngine
import Testing
import ZoneCompiler

/// Reverse zones: the ranges in use, and a /24 or /64 for each address outside them; found by
/// hash whatever their number; PTR RRsets in a fixed order.
@Suite("Reverse zones: covering ranges, outside blocks, PTR order")
struct ReverseZoneTests {
    struct BlockCase: Sendable, CustomTestStringConvertible {
        var address: String
        var apex: String
        var covering: Bool
        var testDescription: String { self.address }
    }

    static let ranges = [
        IPNetwork("10.96.0.0/12")!, IPNetwork("10.244.0.0/16")!, IPNetwork("fd00:10:96::/112")!,
        IPNetwork("fd00:10:244::/56")!,
    ]

    static let blocks: [BlockCase] = [
        BlockCase(address: "10.100.0.10", apex: "100.10.in-addr.arpa.", covering: true),
        BlockCase(address: "10.244.7.9", apex: "244.10.in-addr.arpa.", covering: true),
        BlockCase(address: "10.245.7.9", apex: "7.245.10.in-addr.arpa.", covering: false),
        BlockCase(address: "192.168.12.37", apex: "12.168.192.in-addr.arpa.", covering: false),
        BlockCase(address: "34.118.224.10", apex: "224.118.34.in-addr.arpa.", covering: false),
        BlockCase(address: "fd00:10:96::a", apex: "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.", covering: true),
        BlockCase(address: "fd00:10:244:1::5", apex: "0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa.", covering: true),
        BlockCase(address: "2600:1f14:abc:de00::7", apex: "0.0.e.d.c.b.a.0.4.1.f.1.0.0.6.2.ip6.arpa.", covering: false),
    ]

    @Test(arguments: Self.blocks)
    func anAddressHasOneZone(_ example: BlockCase) {
        let zones = ReverseZones(covering: Self.ranges)
        let (block, covering) = zones.block(for: ip(example.address))
        #expect(ReverseZones.apex(of: block) == name(example.apex))
        #expect(covering == example.covering)
    }

    /// Sorted addresses take their predecessor's zone without the hash probes only where
    /// `block(for:)` gives that zone: inside a covering block, inside an outside /24 or /64, and
    /// never in an outside /24 that a covering block (a /32 of a /28 range) lies inside.
    @Test(arguments: [
        (Self.ranges, [
            "10.100.0.10", "10.100.0.11", "10.100.255.1", "10.111.0.1", "10.244.0.2", "10.244.9.9", "10.245.7.8", "10.245.7.9",
            "10.245.8.1", "192.168.12.37", "192.168.12.38", "fd00:10:96::a", "fd00:10:96::b", "fd00:10:96::1:5", "fd00:10:96::1:6",
            "fd00:10:244:1::5", "fd00:10:244:2::5",
            "2600:1f14:abc:de00::7", "2600:1f14:abc:de00::8", "2600:1f14:abc:de01::1",
        ], 8),
        ([IPNetwork("10.96.0.16/28")!], [
            "10.96.0.1", "10.96.0.2", "10.96.0.16", "10.96.0.17", "10.96.0.31", "10.96.0.32", "10.96.0.33", "10.96.1.1", "10.96.1.2",
        ], 1),
    ] as [([IPNetwork], [String], Int)])
    func sortedAddressesKeepTheirPredecessorsZoneOnlyWhereItIsTheirs(ranges: [IPNetwork], addresses: [String], kept: Int) {
        let zones = ReverseZones(covering: ranges)
        var shortcuts = 0
        for (previous, next) in zip(addresses.map(ip), addresses.dropFirst().map(ip)) {
            let (block, isCovering) = zones.block(for: previous)
            guard zones.isWholeZone(block, isCovering: isCovering), block.contains(next) else { continue }
            shortcuts += 1
            let claimed = zones.block(for: next)
            #expect(claimed.block == block && claimed.isCovering == isCovering, "\(next) after \(previous)")
        }
        #expect(shortcuts == kept)
    }

    /// PTR state is kept by address: a name maps back to the address whose owner it is, and no
    /// other name maps to an address (a leading zero, a hex letter in IPv4, a short name, another tree).
    @Test(arguments: [
        "0.0.0.0", "10.244.1.5", "255.255.255.255", "172.16.3.200", "9.99.100.109", "fd00:10:244::118", "::1", "2001:db8:ffff::abcd",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
    ])
    func aPointerOwnerNamesItsAddressBack(_ text: String) throws {
        let address = try #require(IPAddress(text))
        // Made from the address's bits, it is the name its text form spells.
        #expect(RecordGenerator.pointerOwner(address) == DomainName(address.reverseName + "."))
        #expect(RecordGenerator.pointerOwner(address).wire == DomainName(address.reverseName + ".")?.wire)
        #expect(RecordGenerator.pointerAddress(RecordGenerator.pointerOwner(address)) == address)
        let upper = try #require(DomainName(RecordGenerator.pointerOwner(address).description.uppercased()))
        #expect(RecordGenerator.pointerAddress(upper) == address, "letter case is not part of a name (RFC 4343)")
    }

    /// The owner names spelled out, as RFC 1035 §3.5 and RFC 3596 §2.5 write them.
    @Test func pointerOwnersAreSpelledAsTheRFCsWriteThem() throws {
        #expect(RecordGenerator.pointerOwner(try #require(IPAddress("10.244.1.5"))).description == "5.1.244.10.in-addr.arpa.")
        #expect(RecordGenerator.pointerOwner(try #require(IPAddress("0.99.100.255"))).description == "255.100.99.0.in-addr.arpa.")
        #expect(
            RecordGenerator.pointerOwner(try #require(IPAddress("2001:db8::a1"))).description
                == "1.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")
        #expect(try #require(IPAddress("2001:db8::a1")).reverseName == "1.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")
    }

    @Test(arguments: [
        "05.1.244.10.in-addr.arpa.", "256.1.244.10.in-addr.arpa.", "a.1.244.10.in-addr.arpa.", "1.244.10.in-addr.arpa.",
        "1.1.1.244.10.in-addr.arpa.", "5.1.244.10.in-addr.arpa.example.", "5.1.244.10.ip6.arpa.", "1234.1.244.10.in-addr.arpa.",
        "8.1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.in-addr.arpa.",
        "8.1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.1.0.0.0.0.d.g.ip6.arpa.",
        "8.1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.1.0.0.0.0.d.ip6.arpa.",
        "web.dev.svc.cluster.local.",
    ])
    func anyOtherNameNamesNoAddress(_ text: String) throws {
        #expect(RecordGenerator.pointerAddress(try #require(DomainName(text))) == nil)
    }

    @Test func coveringZonesAreOctetAndNibbleAligned() {
        let apexes = ReverseZones.apexes(covering: [IPNetwork("10.96.0.0/12")!, IPNetwork("10.244.0.0/14")!])
        #expect(apexes.count == 16 + 4)
        #expect(apexes.contains(name("96.10.in-addr.arpa.")) && apexes.contains(name("111.10.in-addr.arpa.")))
        #expect(apexes.contains(name("247.10.in-addr.arpa.")))
        // A block inside another is no zone of its own.
        #expect(ReverseZones.apexes(covering: [IPNetwork("10.0.0.0/8")!, IPNetwork("10.96.0.0/12")!]) == [name("10.in-addr.arpa.")])
    }

    /// Several thousand outside /24s: every one answers for its addresses, the neighbours of an
    /// address get NXDOMAIN with the right zone's SOA, and a /24 holding nothing is not ours.
    @Test func thousandsOfOutsideZonesAreEachFoundByName() throws {
        var services: [ClusterService] = []
        for index in 0..<3000 {
            let address = "172.\(16 + index / 256).\(index % 256).\(1 + index % 200)"
            services.append(
                ClusterService(
                    namespace: "ns\(index % 7)", name: "db-\(index)", isHeadless: true,
                    endpoints: [ClusterEndpoint(addresses: [ip(address)], hostname: "primary")]))
        }
        let cluster = Cluster(namespaces: (0..<7).map { "ns\($0)" }, services: services)
        let snapshot = RecordSnapshot.build(cluster, options: RecordOptions(reverseCIDRs: Self.ranges))
        #expect(snapshot.table.zones.count >= 3000)
        for index in stride(from: 0, to: 3000, by: 97) {
            let address = ip("172.\(16 + index / 256).\(index % 256).\(1 + index % 200)")
            let reply = try #require(
                QueryResponder.reply(to: QueryBuilder.query(RecordGenerator.pointerOwner(address), .ptr), over: .udp, using: snapshot))
            let decoded = try #require(LDNSDecodedMessage.decode(reply.bytes))
            #expect(decoded.rcode == 0 && decoded.aa)
            #expect(decoded.answer == ["\(address.reverseName). 5 PTR primary.db-\(index).ns\(index % 7).svc.cluster.local."])
            let neighbour = IPAddress(ipv4: address.ipv4Value ^ 0xFF)
            let missing = try #require(
                QueryResponder.reply(to: QueryBuilder.query(RecordGenerator.pointerOwner(neighbour), .ptr), over: .udp, using: snapshot))
            let negative = try #require(LDNSDecodedMessage.decode(missing.bytes))
            #expect(negative.rcode == 3)
            let apex = "\(address.ipv4Value >> 8 & 0xFF).\(address.ipv4Value >> 16 & 0xFF).\(address.ipv4Value >> 24).in-addr.arpa."
            #expect(negative.authority.first?.hasPrefix("\(apex) 5 SOA ") == true, "\(negative.authority)")
        }
        let outside = try #require(
            QueryResponder.reply(to: QueryBuilder.query(name("1.0.200.192.in-addr.arpa."), .ptr), over: .udp, using: snapshot))
        #expect(LDNSDecodedMessage.decode(outside.bytes)?.rcode == 5)
    }

    /// The names between PTR owners and their zone's apex exist while an owner below them does,
    /// whichever build placed the owners: the first build counts owners side by side as one run.
    @Test func emptyNonTerminalsLastAsLongAsAnOwnerBelowThem() throws {
        let near = ["fd00:10:244::1", "fd00:10:244::2", "fd00:10:244::3", "10.244.0.2", "10.244.0.3"]
        let far = ["fd00:10:244::1:1", "fd00:10:244:0:1::4", "10.244.1.2"]
        func cluster(_ addresses: [String]) -> Cluster {
            let endpoints = addresses.enumerated().map { ClusterEndpoint(addresses: [ip($0.element)], hostname: "h\($0.offset)") }
            return Cluster(namespaces: ["dev"], services: [ClusterService(namespace: "dev", name: "db", isHeadless: true, endpoints: endpoints)])
        }
        func rcode(_ snapshot: RecordSnapshot, _ text: String) throws -> Int? {
            let reply = try #require(QueryResponder.reply(to: QueryBuilder.query(name(text), .ptr), over: .udp, using: snapshot))
            return LDNSDecodedMessage.decode(reply.bytes).map { Int($0.rcode) }
        }
        /// The name `levels` labels above the PTR owner of `address`.
        func above(_ address: String, _ levels: Int) -> String {
            var name = RecordGenerator.pointerOwner(ip(address))
            for _ in 0..<levels { name = name.parent }
            return name.description
        }
        // Parents of the near owners only; ancestors the near and far IPv6 owners share (from
        // the fifth label up, past the last two groups' nibbles that differ), and one parent
        // of a far owner.
        let nearOnly = [above("fd00:10:244::1", 1), above("fd00:10:244::1", 4), above("10.244.0.2", 1)]
        let shared = [above("fd00:10:244::1", 5), above("fd00:10:244::1", 8)]
        #expect(above("fd00:10:244::1", 5) == above("fd00:10:244::1:1", 5))
        #expect(above("fd00:10:244::1", 4) != above("fd00:10:244::1:1", 4))
        let options = RecordOptions(reverseCIDRs: Self.ranges)
        var builder = SnapshotBuilder(options: options)
        let first = builder.build(cluster(near + far), serial: 1)
        for text in nearOnly + shared + ["1.244.10.in-addr.arpa."] { #expect(try rcode(first, text) == 0, "\(text)") }
        // One near owner of each family left: a count short of the run's would drop its parents.
        let second = builder.build(cluster(["fd00:10:244::3", "10.244.0.3"] + far), serial: 2)
        for text in nearOnly + shared + ["1.244.10.in-addr.arpa."] { #expect(try rcode(second, text) == 0, "\(text)") }
        let third = builder.build(cluster(far), serial: 3)
        for text in nearOnly { #expect(try rcode(third, text) == 3, "\(text)") }
        for text in shared + ["1.244.10.in-addr.arpa."] { #expect(try rcode(third, text) == 0, "\(text)") }
        let fourth = builder.build(cluster([]), serial: 4)
        for text in nearOnly + shared + ["1.244.10.in-addr.arpa."] { #expect(try rcode(fourth, text) == 3, "\(text)") }
    }

    /// A Service's own cluster IP comes first, whatever the namespaces' names and the order of
    /// builds; other claimants follow in canonical order.
    @Test func aServicesOwnClusterIPComesFirstInThePTRRRset() throws {
        let owner = ClusterService(namespace: "zeta", name: "web", clusterIPs: [ip("10.96.0.5")])
        let claimants = ["alpha", "beta"].map { namespace in
            ClusterService(
                namespace: namespace, name: "manual", isHeadless: true,
                endpoints: [ClusterEndpoint(addresses: [ip("10.96.0.5")], hostname: "a")])
        }
        let expected = [
            "5.0.96.10.in-addr.arpa. 5 PTR web.zeta.svc.cluster.local.",
            "5.0.96.10.in-addr.arpa. 5 PTR a.manual.alpha.svc.cluster.local.",
            "5.0.96.10.in-addr.arpa. 5 PTR a.manual.beta.svc.cluster.local.",
        ]
        let options = RecordOptions(reverseCIDRs: Self.ranges)
        let everything = Cluster(namespaces: ["alpha", "beta", "zeta"], services: [owner] + claimants)
        func answer(_ snapshot: RecordSnapshot) -> [String]? {
            let query = QueryBuilder.query(name("5.0.96.10.in-addr.arpa."), .ptr)
            return QueryResponder.reply(to: query, over: .udp, using: snapshot).flatMap { LDNSDecodedMessage.decode($0.bytes) }?.answer
        }
        #expect(answer(RecordSnapshot.build(everything, options: options)) == expected)
        // Built up in another order: the claimants first, the owner last.
        var builder = SnapshotBuilder(options: options)
        _ = builder.build(Cluster(namespaces: ["alpha", "beta", "zeta"], services: claimants), serial: 1)
        #expect(answer(builder.build(everything, serial: 2)) == expected)
    }
}
