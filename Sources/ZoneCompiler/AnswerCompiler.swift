import DNSWire

/// Compiles zones into an `AnswerTable`: for every name and type, the wire-form sections of the
/// response, chosen the way RFC 1034 §4.3.2 and RFC 2308 say (positive answers, CNAME chains,
/// NODATA and NXDOMAIN with the zone's SOA, additional addresses for SRV and NS targets).
package struct AnswerCompiler {
    /// The records of one name, by type, in canonical order.
    private struct Owner {
        var name: DomainName
        var zone: Int
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

    private var table = AnswerTable()
    /// Every name that exists, and where its `Owner` is.
    private var index: [DomainName: Int] = [:]
    private var ownerList: [Owner] = []
    private let zones: [Zone]

    /// The longest CNAME chain followed inside the snapshot (loops stop earlier).
    static let maximumChain = 8

    private init(zones: [Zone]) {
        self.zones = zones
    }

    /// Compiles `zones` (the cluster zone and the reverse zones).
    package static func compile(_ zones: [Zone]) -> AnswerTable {
        var compiler = AnswerCompiler(zones: zones)
        compiler.build()
        return compiler.table
    }

    private func owner(_ name: DomainName) -> Owner? {
        self.index[name].map { self.ownerList[$0] }
    }

    private mutating func build() {
        // Owners with their RRsets, and every name that exists (ancestors of owners included).
        for (zoneIndex, zone) in self.zones.enumerated() {
            for record in zone.records {
                if let position = self.index[record.owner] {
                    self.ownerList[position].add(record)
                } else {
                    self.index[record.owner] = self.ownerList.count
                    var owner = Owner(name: record.owner, zone: zoneIndex)
                    owner.add(record)
                    self.ownerList.append(owner)
                }
            }
            for name in zone.emptyNames where name.isSubdomain(of: zone.apex) && self.index[name] == nil {
                self.index[name] = self.ownerList.count
                self.ownerList.append(Owner(name: name, zone: zoneIndex))
            }
        }
        // Ancestors up to the apex exist too (empty non-terminals, RFC 8020); stop at the first
        // one already known, whose own ancestors are then known or about to be.
        for position in self.ownerList.indices {
            let zone = self.zones[self.ownerList[position].zone]
            var current = self.ownerList[position].name
            while current != zone.apex, current.isSubdomain(of: zone.apex) {
                current = current.parent
                if self.index[current] != nil { break }
                self.index[current] = self.ownerList.count
                self.ownerList.append(Owner(name: current, zone: self.ownerList[position].zone))
            }
        }
        for position in self.ownerList.indices {
            self.ownerList[position].rrsets.sort { $0.type < $1.type }
            for set in self.ownerList[position].rrsets.indices where self.ownerList[position].rrsets[set].records.count > 1 {
                self.ownerList[position].rrsets[set].records = Zone.canonicallySorted(
                    self.ownerList[position].rrsets[set].records)
            }
        }

        for zone in self.zones {
            let soa = zone.records.first { $0.type == .soa && $0.owner == zone.apex }
            let nameError = self.compileNegative(rcode: .nameError, soa: soa)
            let noData = self.compileNegative(rcode: .noError, soa: soa)
            self.table.zones.append(
                AnswerTable.ZoneEntry(
                    apex: zone.apex.lowercased.wire, name: zone.apex, nameError: UInt32(nameError),
                    noData: UInt32(noData)))
        }

        // The layout follows insertion order, which follows the zones' record order.
        self.table.names.reserveCapacity(self.ownerList.count)
        for owner in self.ownerList { self.addEntry(owner) }
        self.buildSlots()
    }

    private mutating func addEntry(_ owner: Owner) {
        let wire = owner.name.lowercased.wire
        var entry = AnswerTable.NameEntry(
            offset: UInt32(self.table.nameBytes.count), length: UInt16(wire.count), zone: UInt16(owner.zone),
            hash: NameHash.hash(wire), typesStart: UInt32(self.table.typeKeys.count), typesCount: 0,
            defaultAnswer: self.table.zones[owner.zone].noData, anyAnswer: self.table.zones[owner.zone].noData)
        self.table.nameBytes += wire

        if let cname = owner.records(.cname)?.first {
            // RFC 1034 §3.6.2: a CNAME owner has no other data. The CNAME query gets the CNAME;
            // every other type gets the chain, followed inside the snapshot.
            let cnameAnswer = self.compile(owner.name, answer: [cname], authority: [], additional: [], rcode: .noError)
            self.addType(.cname, cnameAnswer, to: &entry)
            entry.anyAnswer = UInt32(cnameAnswer)
            let chain = self.followChain(from: cname)
            switch chain.end {
            case .exists(let endOwner):
                for (type, records) in endOwner.rrsets where type != .cname {
                    let additional = self.additionalRecords(for: records)
                    let answer = self.compile(
                        owner.name, answer: chain.links + records, authority: [], additional: additional, rcode: .noError)
                    self.addType(type, answer, to: &entry)
                }
                entry.defaultAnswer = UInt32(
                    self.compile(
                        owner.name, answer: chain.links, authority: self.soaRecords(endOwner.zone), additional: [],
                        rcode: .noError))
            case .missing(let zone):
                entry.defaultAnswer = UInt32(
                    self.compile(
                        owner.name, answer: chain.links, authority: self.soaRecords(zone), additional: [],
                        rcode: .nameError))
            case .external(let target):
                self.table.externalTargets.append(target)
                let answer = self.compile(owner.name, answer: chain.links, authority: [], additional: [], rcode: .noError)
                self.table.answers[answer].externalTarget = Int32(self.table.externalTargets.count - 1)
                entry.defaultAnswer = UInt32(answer)
            case .loop:
                entry.defaultAnswer = UInt32(
                    self.compile(owner.name, answer: chain.links, authority: [], additional: [], rcode: .noError))
            }
        } else {
            for (position, rrset) in owner.rrsets.enumerated() {
                let additional = self.additionalRecords(for: rrset.records)
                let answer = self.compile(
                    owner.name, answer: rrset.records, authority: [], additional: additional, rcode: .noError)
                self.addType(rrset.type, answer, to: &entry)
                if position == 0 { entry.anyAnswer = UInt32(answer) }
            }
        }
        self.table.names.append(entry)
    }

    private mutating func addType(_ type: RRType, _ answer: Int, to entry: inout AnswerTable.NameEntry) {
        self.table.typeKeys.append(type.rawValue)
        self.table.typeAnswers.append(UInt32(answer))
        entry.typesCount += 1
    }

    private func soaRecords(_ zone: Int) -> [ResourceRecord] {
        let apex = self.zones[zone].apex
        return self.owner(apex)?.records(.soa) ?? []
    }

    /// Where a CNAME chain ends.
    private enum ChainEnd {
        case exists(Owner)
        case missing(zone: Int)
        case external(DomainName)
        case loop
    }

    private func followChain(from first: ResourceRecord) -> (links: [ResourceRecord], end: ChainEnd) {
        var links = [first]
        var visited: Set<DomainName> = [first.owner]
        var current = first
        while let target = current.rdata.target {
            if let owner = self.owner(target) {
                if let next = owner.records(.cname)?.first {
                    guard !visited.contains(target), links.count < Self.maximumChain else { return (links, .loop) }
                    visited.insert(target)
                    links.append(next)
                    current = next
                    continue
                }
                return (links, .exists(owner))
            }
            if let zone = self.zones.indices.filter({ target.isSubdomain(of: self.zones[$0].apex) })
                .max(by: { self.zones[$0].apex.labelCount < self.zones[$1].apex.labelCount })
            {
                return (links, .missing(zone: zone))
            }
            return (links, .external(target))
        }
        return (links, .loop)
    }

    /// The addresses of SRV and NS targets that are in the snapshot (RFC 2782, RFC 1035 §3.3.11).
    private func additionalRecords(for records: [ResourceRecord]) -> [ResourceRecord] {
        var result: [ResourceRecord] = []
        var seen: Set<DomainName> = []
        for record in records where record.type == .srv || record.type == .ns {
            guard let target = record.rdata.target, seen.insert(target).inserted, let owner = self.owner(target) else {
                continue
            }
            result += owner.records(.a) ?? []
            result += owner.records(.aaaa) ?? []
        }
        return result
    }

    private mutating func compileNegative(rcode: ResponseCode, soa: ResourceRecord?) -> Int {
        // Shared by every name of the zone, so no pointer may depend on the question's length.
        var writer = WireWriter(compression: false)
        var cuts: [CutPoint] = []
        if let soa {
            writer.writeRecord(soa)
            cuts.append(CutPoint(end: UInt32(writer.count), answerCount: 0, authorityCount: 1, additionalCount: 0))
        }
        return self.append(writer.bytes, rcode: rcode, counts: (0, soa == nil ? 0 : 1, 0), cuts: cuts)
    }

    /// Compiles the sections for a question of `qname` (its own spelling length), compressing
    /// against the question at offset 12.
    private mutating func compile(
        _ qname: DomainName, answer: [ResourceRecord], authority: [ResourceRecord], additional: [ResourceRecord],
        rcode: ResponseCode
    ) -> Int {
        let questionEnd = 12 + qname.wire.count + 4
        var writer = WireWriter(compression: true, base: questionEnd)
        writer.registerName(qname, at: 12)
        var cuts: [CutPoint] = []
        var counts: (UInt16, UInt16, UInt16) = (0, 0, 0)
        for (section, records) in [answer, authority, additional].enumerated() {
            var previous: (DomainName, RRType)?
            for record in records {
                if let previous, previous != (record.owner, record.type) {
                    cuts.append(CutPoint(end: UInt32(writer.count), answerCount: counts.0, authorityCount: counts.1, additionalCount: counts.2))
                }
                previous = (record.owner, record.type)
                writer.writeRecord(record)
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
        return self.append(writer.bytes, rcode: rcode, counts: counts, cuts: cuts)
    }

    private mutating func append(
        _ bytes: [UInt8], rcode: ResponseCode, counts: (UInt16, UInt16, UInt16), cuts: [CutPoint]
    ) -> Int {
        let answer = CompiledAnswer(
            rcode: UInt8(rcode.rawValue), start: UInt32(self.table.bytes.count), length: UInt32(bytes.count),
            answerCount: counts.0, authorityCount: counts.1, additionalCount: counts.2,
            cutStart: UInt32(self.table.cuts.count), cutCount: UInt32(cuts.count))
        self.table.bytes += bytes
        self.table.cuts += cuts
        self.table.answers.append(answer)
        return self.table.answers.count - 1
    }

    private mutating func buildSlots() {
        var size = 16
        while size < self.table.names.count * 2 { size <<= 1 }
        var slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        for (index, entry) in self.table.names.enumerated() {
            var slot = Int(entry.hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
        self.table.slots = slots
    }
}
