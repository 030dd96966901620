import DNSWire
import IPAddressing
import CoreSharing

/// Compiles the records of one unit (a namespace, the zone apexes, some reverse names) into
/// `CompiledEntry` values: for every name and type, the wire-form sections of the response,
/// chosen as RFC 1034 §4.3.2 and RFC 2308 say — positive answers, CNAME chains (followed within
/// the snapshot, loop-safe), additional addresses for SRV and NS targets. Negative answers are
/// left to the zone (nil), so that the serial in their SOA is always the current one.
package struct EntryCompiler {
    /// The records of one name, by type, in canonical order.
    struct Owner {
        var name: DomainName
        var rrsets: [(type: RRType, records: [ResourceRecord])] = []

        func records(_ type: RRType) -> [ResourceRecord]? { self.rrsets.first { $0.type == type }?.records }

        mutating func add(_ record: ResourceRecord) {
            if let index = self.rrsets.firstIndex(where: { $0.type == record.type }) {
                self.rrsets[index].records.append(record)
            } else {
                self.rrsets.append((record.type, [record]))
            }
        }
    }

    /// The longest CNAME chain followed inside the snapshot (loops stop earlier).
    static let maximumChain = 8

    private var index: [DomainName: Int] = [:]
    private var owners: [Owner] = []
    private let zoneOf: (DomainName) -> Int?
    private let lookup: (DomainName) -> NameLookup

    /// - Parameters:
    ///   - records: the unit's records.
    ///   - emptyNames: names that exist without records (and are not implied by ancestry).
    ///   - addAncestors: for each owner, add its ancestors while this says they belong to the unit.
    ///   - zoneOf: the zone index of a name of ours (nil: outside our zones).
    ///   - lookup: what a name outside this unit is.
    package static func compile(
        records: [ResourceRecord], emptyNames: [DomainName] = [], addAncestors: (DomainName) -> Bool = { _ in false },
        zoneOf: @escaping (DomainName) -> Int?, lookup: @escaping (DomainName) -> NameLookup
    ) -> [CompiledEntry] {
        var compiler = EntryCompiler(zoneOf: zoneOf, lookup: lookup)
        compiler.build(records: records, emptyNames: emptyNames, addAncestors: addAncestors)
        return compiler.owners.map { owner in
            CoreSharing.checkpoint()
            return compiler.entry(owner)
        }
    }

    /// `compile`, with the names a `DirectEntry` lays out given apart as such (empty
    /// non-terminals, names with one address record, SRV owners with one record to an ancestor):
    /// a shard's entries.
    package static func compileForShard(
        records: [ResourceRecord], emptyNames: [DomainName] = [], addAncestors: (DomainName) -> Bool = { _ in false },
        zoneOf: @escaping (DomainName) -> Int?, lookup: @escaping (DomainName) -> NameLookup
    ) -> (entries: [CompiledEntry], direct: [DirectEntry]) {
        var compiler = EntryCompiler(zoneOf: zoneOf, lookup: lookup)
        compiler.build(records: records, emptyNames: emptyNames, addAncestors: addAncestors)
        var entries: [CompiledEntry] = []
        var direct: [DirectEntry] = []
        for owner in compiler.owners {
            CoreSharing.checkpoint()
            if let entry = compiler.directEntry(owner) {
                direct.append(entry)
            } else {
                entries.append(compiler.entry(owner))
            }
        }
        return (entries, direct)
    }

    /// The `DirectEntry` of `owner`, when one lays it out.
    private func directEntry(_ owner: Owner) -> DirectEntry? {
        let zone = self.zoneOf(owner.name) ?? 0
        guard let rrset = owner.rrsets.first else { return DirectEntry(emptyName: owner.name, zone: zone) }
        guard owner.rrsets.count == 1, rrset.records.count == 1 else { return nil }
        let record = rrset.records[0]
        if rrset.type == .srv {
            // The target's addresses are looked up only for an SRV record a `DirectEntry` takes.
            guard let target = record.rdata.target, DirectEntry.pointsUp(from: owner.name, to: target) else { return nil }
            return DirectEntry(owner: owner.name, service: record, additional: self.additionalRecords(for: rrset.records), zone: zone)
        }
        return DirectEntry(owner: owner.name, record: record, zone: zone)
    }

    /// The entry `compile` makes of a name whose records are one RRset of a type that neither
    /// chains nor adds records to the additional section (a PTR owner's), made directly: the
    /// reverse zones hold one such name per address (170,000 at L), and the general path's
    /// indexes were a tenth of the start-up.
    package static func singleRRsetEntry(_ name: DomainName, _ records: [ResourceRecord], zone: Int) -> CompiledEntry {
        precondition(
            !records.isEmpty && records.allSatisfy { $0.type == records[0].type && $0.owner == name }
                && ![.cname, .srv, .ns, .mx].contains(records[0].type),
            "singleRRsetEntry takes one RRset of a type without chains or additional records")
        var entry = CompiledEntry(name: name.lowercased.wire, zone: zone)
        let blob = Self.compile(name, answer: records, additional: [], rcode: .noError)
        entry.typed.append((records[0].type.rawValue, blob))
        entry.any = blob
        return entry
    }

    /// The entry `singleRRsetEntry` makes of a PTR owner with one target, its answer written
    /// straight into its bytes: the owner as a pointer to the question (offset 12), the target
    /// whole. Only for an owner under `arpa.` and a target outside it: the general writer
    /// compresses a target against any suffix it shares with the question, which such a pair
    /// cannot share; nil otherwise. At L the reverse zones hold 170,000 such owners; the general
    /// writer's name index was most of their cost.
    package static func pointerEntry(_ owner: DomainName, target: DomainName, ttl: UInt32, zone: Int) -> CompiledEntry? {
        DirectEntry(owner: owner, target: target, ttl: ttl, zone: zone)?.compiledEntry
    }

    /// Whether `pointerEntry` (and `DirectEntry`) may write the PTR answer of `owner` to
    /// `target` directly.
    static func answersPointerDirectly(owner: DomainName, target: DomainName) -> Bool {
        target.labelCount > 0 && Self.endsInArpa(owner.wire) && !Self.endsInArpa(target.wire)
    }

    /// The most records `addressAnswer` writes: 2,048 AAAA records are 57,344 bytes, within
    /// what `compile` keeps behind the longest question.
    static let maximumDirectAddresses = 2048

    /// The answer `compile` makes of one RRset of A or AAAA records at `qname`, written straight
    /// into bytes: per record, the owner as a pointer to the question (offset 12), type, class,
    /// TTL, length and address. Most names of a cluster are such (190,000 of 310,000 at L), and
    /// the general writer's name index was most of their cost. nil for a wildcard owner (its
    /// answers go behind questions of any length), the root (no pointer to a one-byte name), any
    /// other RRset, or more records than `maximumDirectAddresses`.
    package static func addressAnswer(_ qname: DomainName, _ records: [ResourceRecord]) -> CompiledBlob? {
        guard let first = records.first, records.count <= Self.maximumDirectAddresses, !qname.isWildcard, !qname.isRoot
        else { return nil }
        let type = first.type
        guard type == .a || type == .aaaa else { return nil }
        let family: IPAddress.Family = type == .a ? .ipv4 : .ipv6
        let length = type == .a ? 4 : 16
        var writer = WireWriter(compression: false)
        writer.reserveCapacity(records.count * (12 + length))
        for record in records {
            guard let address = record.rdata.address, address.family == family, record.type == type, record.owner == qname
            else { return nil }
            writer.writeUInt16(0xC00C)
            writer.writeUInt16(type.rawValue)
            writer.writeUInt16(1)  // class IN
            writer.writeUInt32(record.ttl)
            writer.writeUInt16(UInt16(length))
            writer.writeAddress(address)
        }
        return CompiledBlob(rcode: 0, bytes: writer.bytes, answerCount: UInt16(records.count), cuts: [])
    }

    /// Whether a wire name's last label may be `arpa` (any case): true for every name under
    /// `arpa.`, and possibly for a label that ends in those bytes (the callers then take the
    /// general path, which is never wrong).
    private static func endsInArpa(_ wire: [UInt8]) -> Bool {
        guard wire.count >= 6 else { return false }
        let last = wire[(wire.count - 6)...]
        return last.first == 4 && zip(last.dropFirst().prefix(4), "arpa".utf8).allSatisfy { $0 | 0x20 == $1 } && last.last == 0
    }

    private init(zoneOf: @escaping (DomainName) -> Int?, lookup: @escaping (DomainName) -> NameLookup) {
        self.zoneOf = zoneOf
        self.lookup = lookup
    }

    /// The owners of `records` and `emptyNames` and the ancestors `addAncestors` admits, each
    /// with its RRsets in order.
    private mutating func build(records: [ResourceRecord], emptyNames: [DomainName], addAncestors: (DomainName) -> Bool) {
        self.index.reserveCapacity(records.count + emptyNames.count)
        self.owners.reserveCapacity(records.count + emptyNames.count)
        // Generated records come owner by owner: a record with its predecessor's owner joins it
        // without a lookup.
        var last: Int?
        for record in records {
            CoreSharing.checkpoint()
            if let position = last, self.owners[position].name == record.owner {
                self.owners[position].add(record)
            } else if let position = self.index[record.owner] {
                self.owners[position].add(record)
                last = position
            } else {
                last = self.owners.count
                self.index[record.owner] = self.owners.count
                var owner = Owner(name: record.owner)
                owner.add(record)
                self.owners.append(owner)
            }
        }
        for name in emptyNames where self.index[name] == nil {
            self.index[name] = self.owners.count
            self.owners.append(Owner(name: name))
        }
        // Ancestors that belong to the unit exist too (empty non-terminals, RFC 8020).
        for position in self.owners.indices {
            var current = self.owners[position].name
            // Owners side by side mostly share their parent (a service's ports, its endpoints):
            // the walk up from a parent just walked finds nothing new.
            if position > 0, current.hasSameParentBytes(as: self.owners[position - 1].name) { continue }
            while !current.isRoot {
                current = current.parent
                guard addAncestors(current), self.index[current] == nil else { break }
                self.index[current] = self.owners.count
                self.owners.append(Owner(name: current))
            }
        }
        self.sortRRsets()
    }

    /// Each owner's RRsets in type order, their records in canonical order.
    private mutating func sortRRsets() {
        for position in self.owners.indices {
            CoreSharing.checkpoint()
            guard self.owners[position].rrsets.count > 1 || self.owners[position].rrsets.first.map({ $0.records.count > 1 }) == true
            else { continue }
            self.owners[position].rrsets.sort { $0.type < $1.type }
            // PTR RRsets come ranked (a Service's own name first, `PointerTarget`); the rest in
            // canonical order.
            for set in self.owners[position].rrsets.indices
            where self.owners[position].rrsets[set].records.count > 1 && self.owners[position].rrsets[set].type != .ptr {
                self.owners[position].rrsets[set].records = Zone.canonicallySorted(self.owners[position].rrsets[set].records)
            }
        }
    }

    private func rrsets(of name: DomainName) -> NameLookup {
        if let position = self.index[name] { return .exists(self.owners[position].rrsets) }
        return self.lookup(name)
    }

    private func entry(_ owner: Owner) -> CompiledEntry {
        var entry = CompiledEntry(name: owner.name.lowercased.wire, zone: self.zoneOf(owner.name) ?? 0)
        if let cname = owner.records(.cname)?.first {
            // RFC 1034 §3.6.2: a CNAME owner has no other data. The CNAME query gets the CNAME;
            // every other type gets the chain, followed inside the snapshot.
            let cnameBlob = Self.compile(owner.name, answer: [cname], additional: [], rcode: .noError)
            entry.typed.append((RRType.cname.rawValue, cnameBlob))
            entry.any = cnameBlob
            let (links, end) = self.followChain(from: cname)
            switch end {
            case nil:
                entry.other = Self.compile(owner.name, answer: links, additional: [], rcode: .noError)
            case .exists(let rrsets):
                for (type, records) in rrsets where type != .cname {
                    let blob = Self.compile(
                        owner.name, answer: links + records, additional: self.additionalRecords(for: records), rcode: .noError)
                    entry.typed.append((type.rawValue, blob))
                }
                var blob = Self.compile(owner.name, answer: links, additional: [], rcode: .noError)
                blob.authorityZone = links.last?.rdata.target.flatMap(self.zoneOf)
                entry.other = blob
            case .missing(let zone):
                var blob = Self.compile(owner.name, answer: links, additional: [], rcode: .nameError)
                blob.authorityZone = zone
                entry.other = blob
            case .outside:
                var blob = Self.compile(owner.name, answer: links, additional: [], rcode: .noError)
                blob.externalChain = links.last?.rdata.target.map { ExternalChain(target: $0, links: links) }
                entry.other = blob
            }
            return entry
        }
        if owner.rrsets.count == 1, let blob = Self.addressAnswer(owner.name, owner.rrsets[0].records) {
            entry.typed.append((owner.rrsets[0].type.rawValue, blob))
            entry.any = blob
            return entry
        }
        for (position, rrset) in owner.rrsets.enumerated() {
            let blob = Self.compile(
                owner.name, answer: rrset.records, additional: self.additionalRecords(for: rrset.records), rcode: .noError)
            entry.typed.append((rrset.type.rawValue, blob))
            if position == 0 { entry.any = blob }
        }
        return entry
    }

    /// Follows a CNAME chain: the links, and what the last target is. A loop, or a chain past
    /// `maximumChain`, ends as it stands (NOERROR with the links so far).
    private func followChain(from first: ResourceRecord) -> (links: [ResourceRecord], end: NameLookup?) {
        var links = [first]
        var visited: Set<DomainName> = [first.owner]
        var current = first
        while let target = current.rdata.target {
            switch self.rrsets(of: target) {
            case .exists(let rrsets):
                if let next = rrsets.first(where: { $0.type == .cname })?.records.first {
                    guard !visited.contains(target), links.count < Self.maximumChain else { return (links, nil) }
                    visited.insert(target)
                    links.append(next)
                    current = next
                    continue
                }
                return (links, .exists(rrsets))
            case .missing(let zone):
                return (links, .missing(zone: zone))
            case .outside:
                return (links, .outside)
            }
        }
        return (links, nil)
    }

    /// The addresses of SRV, NS and MX targets that are in the snapshot (RFC 2782, RFC 1035 §3.3.9, §3.3.11).
    private func additionalRecords(for records: [ResourceRecord]) -> [ResourceRecord] {
        var result: [ResourceRecord] = []
        var seen: Set<DomainName> = []
        for record in records where record.type == .srv || record.type == .ns || record.type == .mx {
            guard let target = record.rdata.target, seen.insert(target).inserted,
                case .exists(let rrsets) = self.rrsets(of: target)
            else { continue }
            result += rrsets.first { $0.type == .a }?.records ?? []
            result += rrsets.first { $0.type == .aaaa }?.records ?? []
        }
        return result
    }

    /// Room for what is added when answering: the OPT (17 bytes with edns-tcp-keepalive) and a
    /// zone's SOA in the authority section (a CNAME chain ending in NXDOMAIN or NODATA).
    static let answeringReserve = 17 + 2 + 10 + 2 * 255 + 20

    /// The sections for a question of `qname`, compressing against the question at offset 12.
    /// Nothing that cannot fit in a 65,535-byte message is compiled (RFC 1035 §4.2.2, the most a
    /// TCP message holds): records past that are left out.
    static func compile(
        _ qname: DomainName, answer: [ResourceRecord], additional: [ResourceRecord], rcode: ResponseCode,
        authority: [ResourceRecord] = []
    ) -> CompiledBlob {
        let questionEnd = 12 + qname.wire.count + 4
        // A wildcard's answers go behind questions of any length (RFC 4592): the longest.
        let budget = 65535 - (qname.isWildcard ? 12 + 255 + 4 : questionEnd) - Self.answeringReserve
        var writer = qname.isWildcard ? WireWriter(questionOnly: qname) : WireWriter(compression: true, base: questionEnd)
        writer.registerName(qname, at: 12)
        var cuts: [CutPoint] = []
        var counts: (UInt16, UInt16, UInt16) = (0, 0, 0)
        sections: for section in 0..<3 {
            let records = section == 0 ? answer : section == 1 ? authority : additional
            var previous: (DomainName, RRType)?
            for record in records {
                if let previous, previous != (record.owner, record.type) {
                    cuts.append(CutPoint(end: UInt32(writer.count), answerCount: counts.0, authorityCount: counts.1, additionalCount: counts.2))
                }
                let before = writer.count
                writer.writeRecord(record)
                if writer.count > budget {
                    writer.truncate(to: before)
                    if previous != nil {
                        cuts.append(CutPoint(end: UInt32(writer.count), answerCount: counts.0, authorityCount: counts.1, additionalCount: counts.2))
                    }
                    break sections
                }
                previous = (record.owner, record.type)
                switch section {
                case 0: counts.0 += 1
                case 1: counts.1 += 1
                default: counts.2 += 1
                }
            }
            if previous != nil {
                cuts.append(CutPoint(end: UInt32(writer.count), answerCount: counts.0, authorityCount: counts.1, additionalCount: counts.2))
            }
        }
        // The whole answer is always a place to end (`appendSections` tries it first): only the
        // places before it are kept, so the common one-RRset answer holds no cut at all (at L,
        // 7.8 MiB of the answer table).
        if cuts.last?.end == UInt32(writer.count) { cuts.removeLast() }
        return CompiledBlob(
            rcode: UInt8(rcode.rawValue), bytes: writer.bytes, answerCount: counts.0, authorityCount: counts.1,
            additionalCount: counts.2, cuts: cuts)
    }

    /// A zone's negative answer (shared by every name of the zone, so no pointer may depend on
    /// the question's length): the SOA, uncompressed, in the authority section.
    static func negative(rcode: ResponseCode, soa: ResourceRecord) -> CompiledBlob {
        var writer = WireWriter(compression: false)
        writer.writeRecord(soa)
        return CompiledBlob(
            rcode: UInt8(rcode.rawValue), bytes: writer.bytes, answerCount: 0, authorityCount: 1, cuts: [])
    }
}
