import DNSWire
import IPAddressing

/// A name laid into its shard's records straight from the name and its one RRset (or none),
/// exactly as the general compiler's entry of it: an empty non-terminal; a PTR owner with one
/// target (`EntryCompiler.pointerEntry`); a name with address records of one family
/// (`addressAnswer`); an SRV owner with one record whose target is an ancestor of the owner, with
/// the target's address records as additional data (a ClusterIP service's port); an SRV owner
/// whose records lead to distinct names of one depth, none an ancestor of it, with each target's
/// address as additional data (a headless service's port). The one answer is also the
/// answer to ANY. Laid out directly, none of them needs the entry, its answer's bytes or its list
/// of answers; most names of a cluster are such (at L, 170,000 PTR owners, 170,000 one-address
/// names and 90,000 one-record SRV owners), and those allocations and their copy into the shard
/// were most of compiling them.
package struct DirectEntry: Sendable {
    /// The record's data.
    package enum Data: Sendable {
        /// No record: an empty non-terminal (RFC 8020).
        case empty
        /// A PTR target's wire form, as written (never compressed: no suffix it could share
        /// with an owner under `arpa.`).
        case target([UInt8])
        case address(IPAddress)
        /// Two or more addresses of one family, distinct, in canonical (numeric) order (RFC 4034
        /// §6.3): a headless service's name.
        case addresses([IPAddress])
        /// An SRV record to an ancestor of its owner, and that ancestor's A and AAAA records (at
        /// most one of each). The target is written whole (RFC 2782); the additional records'
        /// owner points at it where the question spells it, `targetOffset`.
        case service(priority: UInt16, weight: UInt16, port: UInt16, target: [UInt8], targetOffset: UInt16, a: Additional?, aaaa: Additional?)
        /// SRV records in canonical order to distinct targets of one depth (so none is an ancestor
        /// of another), none an ancestor of the owner, each target's address record (if any) as
        /// additional data in the same order. Each target is written whole (RFC 2782) and each
        /// additional record's owner points at it there: the first name of the message it is a
        /// suffix of, which is where `WireWriter` points it.
        case services([ServiceRecord])
    }

    /// One record of `Data.services`.
    package struct ServiceRecord: Sendable {
        package var priority: UInt16
        package var weight: UInt16
        package var port: UInt16
        /// The target's wire form, as written.
        package var target: [UInt8]
        package var additional: Additional?

        package init(priority: UInt16, weight: UInt16, port: UInt16, target: DomainName, additional: Additional?) {
            self.priority = priority
            self.weight = weight
            self.port = port
            self.target = target.wire
            self.additional = additional
        }

        /// Its length in the answer: the record's fixed fields, then the SRV data.
        var length: Int { 12 + 6 + self.target.count }
    }

    /// An address record in the additional section.
    package struct Additional: Sendable {
        package var ttl: UInt32
        package var address: IPAddress

        package init(ttl: UInt32, address: IPAddress) {
            self.ttl = ttl
            self.address = address
        }

        /// Its length in the additional section: a pointer as owner, the fixed fields, the address.
        var length: Int { 12 + (self.address.family == .ipv4 ? 4 : 16) }
    }

    /// The owner's lower-cased wire form.
    package var owner: [UInt8]
    package var ttl: UInt32
    package var zone: Int
    package var data: Data

    /// An empty non-terminal's.
    package init(emptyName owner: DomainName, zone: Int) {
        self.owner = owner.lowercased.wire
        self.ttl = 0
        self.zone = zone
        self.data = .empty
    }

    /// A PTR owner's; nil where `pointerEntry` takes the general path (an owner outside
    /// `arpa.`, a target under it or the root).
    package init?(owner: DomainName, target: DomainName, ttl: UInt32, zone: Int) {
        guard EntryCompiler.answersPointerDirectly(owner: owner, target: target) else { return nil }
        self.owner = owner.lowercased.wire
        self.ttl = ttl
        self.zone = zone
        self.data = .target(target.wire)
    }

    /// A name's one address record; nil where `addressAnswer` would not write it (a wildcard
    /// owner, the root, another type, an address of the other family, another owner).
    package init?(owner: DomainName, record: ResourceRecord, zone: Int) {
        guard !owner.isWildcard, !owner.isRoot, record.owner == owner, let address = record.rdata.address,
            (record.type == .a && address.family == .ipv4) || (record.type == .aaaa && address.family == .ipv6)
        else { return nil }
        self.owner = owner.lowercased.wire
        self.ttl = record.ttl
        self.zone = zone
        self.data = .address(address)
    }

    /// A name's address records, all `ttl`, from `addresses` (distinct, of one family), as
    /// `addressAnswer` writes their RRset in canonical order; one address is `init(owner:record:zone:)`'s
    /// entry. nil where `addressAnswer` would not write it (a wildcard owner, the root, no address,
    /// both families, more than `maximumDirectAddresses`).
    package init?(owner: DomainName, addresses: [IPAddress], ttl: UInt32, zone: Int) {
        guard !owner.isWildcard, !owner.isRoot, let first = addresses.first, addresses.count <= EntryCompiler.maximumDirectAddresses,
            addresses.allSatisfy({ $0.family == first.family })
        else { return nil }
        self.owner = owner.lowercased.wire
        self.ttl = ttl
        self.zone = zone
        self.data = addresses.count == 1 ? .address(first) : .addresses(addresses.sorted())
    }

    /// An SRV owner's one record, with `additional` (the target's address records, A first, as
    /// the general compiler adds them); nil unless the target is an ancestor of the owner (or
    /// the owner itself) other than the root, `additional` is at most one A and one AAAA record
    /// of the target, and the owner is neither a wildcard nor the root. (The general writer never
    /// points at the root, a one-byte name.)
    package init?(owner: DomainName, service record: ResourceRecord, additional: [ResourceRecord], zone: Int) {
        guard !owner.isWildcard, !owner.isRoot, record.owner == owner,
            case .srv(let priority, let weight, let port, let target) = record.rdata, Self.pointsUp(from: owner, to: target),
            additional.count <= 2
        else { return nil }
        var a: Additional?
        var aaaa: Additional?
        for extra in additional {
            guard extra.owner == target, let address = extra.rdata.address else { return nil }
            if extra.type == .a, address.family == .ipv4, a == nil, aaaa == nil {
                a = Additional(ttl: extra.ttl, address: address)
            } else if extra.type == .aaaa, address.family == .ipv6, aaaa == nil {
                aaaa = Additional(ttl: extra.ttl, address: address)
            } else {
                return nil
            }
        }
        self.owner = owner.lowercased.wire
        self.ttl = record.ttl
        self.zone = zone
        self.data = .service(
            priority: priority, weight: weight, port: port, target: target.wire,
            targetOffset: UInt16(12 + owner.wire.count - target.wire.count), a: a, aaaa: aaaa)
    }

    /// An SRV owner's RRset, all `ttl`: `records` (distinct targets) in canonical order (RFC 4034
    /// §6.3: priority, weight and port as numbers, then the target's lower-cased wire form), each
    /// target's address (if any) as additional data in that order, as the general compiler adds
    /// them. nil unless every target has as many labels as the first (so none is an ancestor of
    /// another) and none is an ancestor of the owner or the owner itself (the general writer
    /// would point an additional record's owner into the question or another target then), the
    /// targets are distinct, the owner is neither a wildcard nor the root, and the whole message
    /// stays within the first 16 KiB, where every target can be pointed at (RFC 1035 §4.1.4) and
    /// nothing is left out to fit.
    package init?(owner: DomainName, services records: [ServiceRecord], ttl: UInt32, zone: Int) {
        guard !owner.isWildcard, !owner.isRoot, let first = records.first else { return nil }
        let labels = DomainName(uncheckedWire: first.target).labelCount
        var length = 16 + owner.wire.count
        var targets: Set<DomainName> = []
        targets.reserveCapacity(records.count)
        for record in records {
            let target = DomainName(uncheckedWire: record.target)
            guard labels > 0, target.labelCount == labels, !owner.isSubdomain(of: target), targets.insert(target).inserted
            else { return nil }
            length += record.length + (record.additional?.length ?? 0)
        }
        guard length <= 0x4000 else { return nil }
        self.owner = owner.lowercased.wire
        self.ttl = ttl
        self.zone = zone
        self.data = .services(
            records.sorted { left, right in
                if left.priority != right.priority { return left.priority < right.priority }
                if left.weight != right.weight { return left.weight < right.weight }
                if left.port != right.port { return left.port < right.port }
                return DomainName(uncheckedWire: left.target).lowercased.wire.lexicographicallyPrecedes(
                    DomainName(uncheckedWire: right.target).lowercased.wire)
            })
    }

    /// Whether an SRV record at `owner` to `target` is one `init(owner:service:additional:zone:)`
    /// takes: the target an ancestor of the owner, or the owner, and not the root.
    static func pointsUp(from owner: DomainName, to target: DomainName) -> Bool {
        !target.isRoot && owner.isSubdomain(of: target)
    }

    /// How many answers its entry stores (0 or 1).
    var answerCount: Int {
        if case .empty = self.data { return 0 }
        return 1
    }

    var type: RRType {
        switch self.data {
        case .empty: return .a  // unused: no answer
        case .target: return .ptr
        case .address(let address): return address.family == .ipv4 ? .a : .aaaa
        case .addresses(let addresses): return addresses[0].family == .ipv4 ? .a : .aaaa
        case .service, .services: return .srv
        }
    }

    /// Its answer's counts: answer, authority, additional.
    var counts: (UInt16, UInt16, UInt16) {
        switch self.data {
        case .addresses(let addresses):
            return (UInt16(addresses.count), 0, 0)
        case .service(_, _, _, _, _, let a, let aaaa):
            return (1, 0, (a == nil ? 0 : 1) + (aaaa == nil ? 0 : 1))
        case .services(let records):
            return (UInt16(records.count), 0, UInt16(records.count { $0.additional != nil }))
        case .empty, .target, .address:
            return (1, 0, 0)
        }
    }

    private var serviceLength: Int {
        guard case .service(_, _, _, let target, _, _, _) = self.data else { return 0 }
        return 12 + 6 + target.count
    }

    /// The length of its answer's bytes.
    var answerLength: Int {
        switch self.data {
        case .empty: return 0
        case .target(let wire): return 12 + wire.count
        case .address(let address): return 12 + (address.family == .ipv4 ? 4 : 16)
        case .addresses(let addresses): return addresses.count * (12 + (addresses[0].family == .ipv4 ? 4 : 16))
        case .service(_, _, _, _, _, let a, let aaaa):
            return self.serviceLength + (a == nil ? 0 : 16) + (aaaa == nil ? 0 : 28)
        case .services(let records):
            return records.reduce(0) { $0 + $1.length + ($1.additional?.length ?? 0) }
        }
    }

    /// The places its answer may be cut (`EntryCompiler.compile`'s, the whole answer left out):
    /// after the SRV records, and after each additional record but the last (each has an owner
    /// or type of its own).
    func forEachCut(_ body: (CutPoint) -> Void) {
        switch self.data {
        case .service(_, _, _, _, _, let a, let aaaa):
            guard a != nil || aaaa != nil else { return }
            body(CutPoint(end: UInt32(self.serviceLength), answerCount: 1, authorityCount: 0, additionalCount: 0))
            if a != nil, aaaa != nil {
                body(CutPoint(end: UInt32(self.serviceLength + 16), answerCount: 1, authorityCount: 0, additionalCount: 1))
            }
        case .services(let records):
            let answers = UInt16(records.count)
            let total = self.answerLength
            var end = records.reduce(0) { $0 + $1.length }
            guard end < total else { return }
            body(CutPoint(end: UInt32(end), answerCount: answers, authorityCount: 0, additionalCount: 0))
            var additional: UInt16 = 0
            for record in records {
                guard let extra = record.additional else { continue }
                end += extra.length
                additional += 1
                if end < total { body(CutPoint(end: UInt32(end), answerCount: answers, authorityCount: 0, additionalCount: additional)) }
            }
        case .empty, .target, .address, .addresses:
            return
        }
    }

    var cutCount: Int {
        var count = 0
        self.forEachCut { _ in count += 1 }
        return count
    }

    /// The entry the general compiler makes of it (what `AnswerShard` lays out the same way),
    /// for the paths that keep entries: a reverse name changed by a later build.
    var compiledEntry: CompiledEntry {
        guard self.answerCount == 1 else { return CompiledEntry(name: self.owner, zone: self.zone) }
        let bytes = [UInt8](unsafeUninitializedCapacity: self.answerLength) { buffer, initialized in
            if let base = buffer.baseAddress { self.writeAnswer(into: UnsafeMutableRawPointer(base)) }
            initialized = self.answerLength
        }
        var cuts: [CutPoint] = []
        self.forEachCut { cuts.append($0) }
        let counts = self.counts
        let blob = CompiledBlob(
            rcode: 0, bytes: bytes, answerCount: counts.0, authorityCount: counts.1, additionalCount: counts.2, cuts: cuts)
        return CompiledEntry(name: self.owner, zone: self.zone, typed: [(self.type.rawValue, blob)], any: blob)
    }

    /// Writes its answer's bytes at `base`.
    func writeAnswer(into base: UnsafeMutableRawPointer) {
        func header(at offset: Int, owner pointer: UInt16, type: RRType, ttl: UInt32, length: Int) {
            base.storeBytes(of: (0xC000 | pointer).bigEndian, toByteOffset: offset, as: UInt16.self)
            base.storeBytes(of: type.rawValue.bigEndian, toByteOffset: offset + 2, as: UInt16.self)
            base.storeBytes(of: UInt16(1).bigEndian, toByteOffset: offset + 4, as: UInt16.self)  // class IN
            base.storeBytes(of: ttl.bigEndian, toByteOffset: offset + 6, as: UInt32.self)
            base.storeBytes(of: UInt16(length).bigEndian, toByteOffset: offset + 10, as: UInt16.self)
        }
        func address(_ address: IPAddress, at offset: Int) {
            if address.family == .ipv4 {
                base.storeBytes(of: address.ipv4Value.bigEndian, toByteOffset: offset, as: UInt32.self)
            } else {
                base.storeBytes(of: address.high.bigEndian, toByteOffset: offset, as: UInt64.self)
                base.storeBytes(of: address.low.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
            }
        }
        func bytes(_ wire: [UInt8], at offset: Int) {
            wire.withUnsafeBytes { wire in
                if let from = wire.baseAddress { (base + offset).copyMemory(from: from, byteCount: wire.count) }
            }
        }
        switch self.data {
        case .empty:
            return
        case .target(let wire):
            header(at: 0, owner: 12, type: .ptr, ttl: self.ttl, length: wire.count)
            bytes(wire, at: 12)
        case .address(let value):
            header(at: 0, owner: 12, type: self.type, ttl: self.ttl, length: value.family == .ipv4 ? 4 : 16)
            address(value, at: 12)
        case .addresses(let values):
            let length = values[0].family == .ipv4 ? 4 : 16
            for (index, value) in values.enumerated() {
                header(at: index * (12 + length), owner: 12, type: self.type, ttl: self.ttl, length: length)
                address(value, at: index * (12 + length) + 12)
            }
        case .service(let priority, let weight, let port, let target, let targetOffset, let a, let aaaa):
            header(at: 0, owner: 12, type: .srv, ttl: self.ttl, length: 6 + target.count)
            base.storeBytes(of: priority.bigEndian, toByteOffset: 12, as: UInt16.self)
            base.storeBytes(of: weight.bigEndian, toByteOffset: 14, as: UInt16.self)
            base.storeBytes(of: port.bigEndian, toByteOffset: 16, as: UInt16.self)
            bytes(target, at: 18)
            var at = self.serviceLength
            if let a {
                header(at: at, owner: targetOffset, type: .a, ttl: a.ttl, length: 4)
                address(a.address, at: at + 12)
                at += 16
            }
            if let aaaa {
                header(at: at, owner: targetOffset, type: .aaaa, ttl: aaaa.ttl, length: 16)
                address(aaaa.address, at: at + 12)
            }
        case .services(let records):
            // The question ends at 12 + the owner + type and class; the answer follows it.
            let questionEnd = 12 + self.owner.count + 4
            var at = 0
            for record in records {
                header(at: at, owner: 12, type: .srv, ttl: self.ttl, length: 6 + record.target.count)
                base.storeBytes(of: record.priority.bigEndian, toByteOffset: at + 12, as: UInt16.self)
                base.storeBytes(of: record.weight.bigEndian, toByteOffset: at + 14, as: UInt16.self)
                base.storeBytes(of: record.port.bigEndian, toByteOffset: at + 16, as: UInt16.self)
                bytes(record.target, at: at + 18)
                at += record.length
            }
            // Where each target starts in the message: after its record's fixed fields.
            var targetOffset = questionEnd + 18
            for record in records {
                defer { targetOffset += record.length }
                guard let extra = record.additional else { continue }
                let isIPv4 = extra.address.family == .ipv4
                header(at: at, owner: UInt16(targetOffset), type: isIPv4 ? .a : .aaaa, ttl: extra.ttl, length: isIPv4 ? 4 : 16)
                address(extra.address, at: at + 12)
                at += extra.length
            }
        }
    }
}
