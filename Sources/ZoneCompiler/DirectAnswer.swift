import DNSWire
import IPAddressing

/// A name whose one answer is one record written right behind the question — a PTR owner with
/// one target, or a name with one address — laid into its shard's records straight from the
/// name and the record's data: exactly the entry the general compiler makes of it (the answer:
/// the owner as a pointer to the question, type, class IN, TTL, length and data; ANY answered by
/// it; `EntryCompiler.pointerEntry` and `addressAnswer`), without the entry, its answer's bytes
/// or its list of answers. Most names of a cluster are such (the reverse zones' 170,000 PTR
/// owners at L, and most service, endpoint and pod names), and those three allocations and their
/// copy into the shard were most of compiling them.
package struct DirectAnswer: Sendable {
    /// The record's data.
    package enum Data: Sendable {
        /// A PTR target's wire form, as written (never compressed: no suffix it could share
        /// with an owner under `arpa.`).
        case target([UInt8])
        case address(IPAddress)
    }

    /// The owner's lower-cased wire form.
    package var owner: [UInt8]
    package var ttl: UInt32
    package var zone: Int
    package var data: Data

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

    var type: RRType {
        switch self.data {
        case .target: return .ptr
        case .address(let address): return address.family == .ipv4 ? .a : .aaaa
        }
    }

    var dataLength: Int {
        switch self.data {
        case .target(let wire): return wire.count
        case .address(let address): return address.family == .ipv4 ? 4 : 16
        }
    }

    /// The length of its answer's bytes.
    var answerLength: Int { 12 + self.dataLength }

    /// Writes its answer's bytes at `base`.
    func writeAnswer(into base: UnsafeMutableRawPointer) {
        base.storeBytes(of: UInt16(0xC00C).bigEndian, toByteOffset: 0, as: UInt16.self)
        base.storeBytes(of: self.type.rawValue.bigEndian, toByteOffset: 2, as: UInt16.self)
        base.storeBytes(of: UInt16(1).bigEndian, toByteOffset: 4, as: UInt16.self)  // class IN
        base.storeBytes(of: self.ttl.bigEndian, toByteOffset: 6, as: UInt32.self)
        base.storeBytes(of: UInt16(self.dataLength).bigEndian, toByteOffset: 10, as: UInt16.self)
        switch self.data {
        case .target(let wire):
            wire.withUnsafeBytes { wire in
                if let from = wire.baseAddress { (base + 12).copyMemory(from: from, byteCount: wire.count) }
            }
        case .address(let address) where address.family == .ipv4:
            base.storeBytes(of: address.ipv4Value.bigEndian, toByteOffset: 12, as: UInt32.self)
        case .address(let address):
            base.storeBytes(of: address.high.bigEndian, toByteOffset: 12, as: UInt64.self)
            base.storeBytes(of: address.low.bigEndian, toByteOffset: 20, as: UInt64.self)
        }
    }
}
