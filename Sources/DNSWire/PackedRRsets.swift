/// Records kept as compact wire bytes, one RRset after another: the owner (uncompressed) once
/// per RRset, then type, class, TTL and the record count, then each record's rdata with its
/// length. An answer of thousands of records is one array, not two arrays per record, so what a
/// cached answer costs is what `byteCount` says, and writing it out is a walk over the bytes.
///
/// Records appended one by one join the RRset before them when owner, type and class match; the
/// RRset's TTL is then the smallest of its records' (RFC 2181 §5.2: the TTLs of an RRset must
/// agree, and a resolver treats a mix as the minimum).
package struct PackedRRsets: Sendable, Hashable {
    package private(set) var bytes: [UInt8] = []
    package private(set) var rrsetCount = 0
    package private(set) var recordCount = 0
    /// The last RRset's header, so that the next record can join it without a walk.
    private var last: RRsetHeader?

    private struct RRsetHeader: Sendable {
        var owner: Range<Int>
        var type: RRType
        var rrclass: UInt16
        var ttl: UInt32
        var count: Int
        var ttlOffset: Int
    }

    /// Equal when they hold the same bytes (the rest follows from them).
    package static func == (lhs: PackedRRsets, rhs: PackedRRsets) -> Bool { lhs.bytes == rhs.bytes }

    package func hash(into hasher: inout Hasher) { hasher.combine(self.bytes) }

    /// One RRset, as offsets into `bytes`.
    package struct RRset: Sendable, Hashable {
        /// The owner's uncompressed wire form.
        package var owner: Range<Int>
        package var type: RRType
        package var rrclass: UInt16
        package var ttl: UInt32
        package var count: Int
        /// Where the TTL is stored (patched when aging).
        package var ttlOffset: Int
        /// The records: each a 16-bit rdata length and the rdata.
        package var records: Range<Int>
    }

    package init() {}

    package init(_ records: some Sequence<WireRecord>) {
        for record in records { self.append(record) }
    }

    package var isEmpty: Bool { self.rrsetCount == 0 }

    /// The bytes held, which is what the records cost beyond a fixed overhead.
    package var byteCount: Int { self.bytes.count }

    package mutating func append(_ record: WireRecord) {
        let rdataLength = min(record.rdata.count, Int(UInt16.max))
        if var last = self.last, last.count < Int(UInt16.max), last.type == record.type, last.rrclass == record.rrclass,
            Self.equalNames(self.bytes[last.owner], record.owner.wire)
        {
            // A TTL with the top bit set counts as 0 (RFC 2181 §8), not as the largest.
            last.ttl = min(Self.effectiveTTL(last.ttl), Self.effectiveTTL(record.ttl))
            last.count += 1
            Self.store32(last.ttl, &self.bytes, at: last.ttlOffset)
            Self.store16(UInt16(last.count), &self.bytes, at: last.ttlOffset + 4)
            self.last = last
        } else {
            let start = self.bytes.count
            self.bytes += record.owner.wire
            let ownerEnd = self.bytes.count
            Self.append16(record.type.rawValue, &self.bytes)
            Self.append16(record.rrclass, &self.bytes)
            Self.append16(UInt16(record.ttl >> 16), &self.bytes)
            Self.append16(UInt16(truncatingIfNeeded: record.ttl), &self.bytes)
            Self.append16(1, &self.bytes)
            self.last = RRsetHeader(
                owner: start..<ownerEnd, type: record.type, rrclass: record.rrclass, ttl: record.ttl, count: 1,
                ttlOffset: ownerEnd + 4)
            self.rrsetCount += 1
        }
        Self.append16(UInt16(rdataLength), &self.bytes)
        self.bytes += record.rdata.prefix(rdataLength)
        self.recordCount += 1
    }

    package mutating func append(contentsOf records: some Sequence<WireRecord>) {
        for record in records { self.append(record) }
    }

    /// Appends `other`'s RRsets as they are (a copy of its bytes).
    package mutating func append(contentsOf other: PackedRRsets) {
        guard !other.isEmpty else { return }
        let shift = self.bytes.count
        self.bytes += other.bytes
        self.rrsetCount += other.rrsetCount
        self.recordCount += other.recordCount
        self.last = other.last.map { last in
            var moved = last
            moved.owner = (last.owner.lowerBound + shift)..<(last.owner.upperBound + shift)
            moved.ttlOffset += shift
            return moved
        }
    }

    /// Calls `body` with each RRset in order.
    package func forEachRRset(_ body: (RRset) throws -> Void) rethrows {
        var offset = 0
        while offset < self.bytes.count, let rrset = self.rrset(at: offset) {
            try body(rrset)
            offset = rrset.records.upperBound
        }
    }

    /// The RRsets in order (for code that is not on a hot path).
    package var rrsets: [RRset] {
        var result: [RRset] = []
        result.reserveCapacity(self.rrsetCount)
        self.forEachRRset { result.append($0) }
        return result
    }

    /// The owner of `rrset` as a name.
    package func owner(of rrset: RRset) -> DomainName {
        DomainName(uncheckedWire: Array(self.bytes[rrset.owner]))
    }

    /// Calls `body` with the rdata of each record of `rrset`.
    package func forEachRdata(of rrset: RRset, _ body: (ArraySlice<UInt8>) throws -> Void) rethrows {
        var offset = rrset.records.lowerBound
        for _ in 0..<rrset.count {
            let length = Int(self.bytes[offset]) << 8 | Int(self.bytes[offset + 1])
            try body(self.bytes[(offset + 2)..<(offset + 2 + length)])
            offset += 2 + length
        }
    }

    /// Every record, one `WireRecord` each: for tests and small answers.
    package var records: [WireRecord] {
        var result: [WireRecord] = []
        result.reserveCapacity(self.recordCount)
        self.forEachRRset { rrset in
            let owner = self.owner(of: rrset)
            self.forEachRdata(of: rrset) { rdata in
                result.append(WireRecord(owner: owner, type: rrset.type, rrclass: rrset.rrclass, ttl: rrset.ttl, rdata: Array(rdata)))
            }
        }
        return result
    }

    /// The same records with every TTL replaced by `transform(ttl, rrset)`.
    package func mappingTTLs(_ transform: (UInt32, RRset) -> UInt32) -> PackedRRsets {
        var copy = self
        self.forEachRRset { rrset in
            let ttl = transform(rrset.ttl, rrset)
            Self.store32(ttl, &copy.bytes, at: rrset.ttlOffset)
            if copy.last?.ttlOffset == rrset.ttlOffset { copy.last?.ttl = ttl }
        }
        return copy
    }

    /// The same records with every TTL lowered by `elapsed` seconds (never below zero).
    package func aged(by elapsed: UInt32) -> PackedRRsets {
        guard elapsed > 0 else { return self }
        return self.mappingTTLs { ttl, _ in ttl > elapsed ? ttl - elapsed : 0 }
    }

    /// The smallest TTL, or nil when there is no record.
    package var minimumTTL: UInt32? {
        var minimum: UInt32?
        self.forEachRRset { minimum = min(minimum ?? .max, $0.ttl) }
        return minimum
    }

    /// The RRset at `offset`, or nil when the bytes there are not one (they always are: the bytes
    /// are only ever written by `append`).
    private func rrset(at offset: Int) -> RRset? {
        var position = offset
        while position < self.bytes.count, self.bytes[position] != 0 { position += 1 + Int(self.bytes[position]) }
        let ownerEnd = position + 1
        guard ownerEnd + 10 <= self.bytes.count else { return nil }
        let type = RRType(rawValue: Self.load16(self.bytes, ownerEnd))
        let rrclass = Self.load16(self.bytes, ownerEnd + 2)
        let ttl = UInt32(Self.load16(self.bytes, ownerEnd + 4)) << 16 | UInt32(Self.load16(self.bytes, ownerEnd + 6))
        let count = Int(Self.load16(self.bytes, ownerEnd + 8))
        var end = ownerEnd + 10
        for _ in 0..<count {
            guard end + 2 <= self.bytes.count else { return nil }
            end += 2 + Int(Self.load16(self.bytes, end))
        }
        guard end <= self.bytes.count else { return nil }
        return RRset(
            owner: offset..<ownerEnd, type: type, rrclass: rrclass, ttl: ttl, count: count, ttlOffset: ownerEnd + 4,
            records: (ownerEnd + 10)..<end)
    }

    private static func effectiveTTL(_ ttl: UInt32) -> UInt32 { ttl & 0x8000_0000 != 0 ? 0 : ttl }

    /// Owner names compare case-insensitively (RFC 4343).
    private static func equalNames(_ stored: ArraySlice<UInt8>, _ wire: [UInt8]) -> Bool {
        stored.count == wire.count && zip(stored, wire).allSatisfy { DomainName.lower($0) == DomainName.lower($1) }
    }

    @inline(__always)
    private static func load16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    @inline(__always)
    private static func append16(_ value: UInt16, _ bytes: inout [UInt8]) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    private static func store16(_ value: UInt16, _ bytes: inout [UInt8], at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    @inline(__always)
    private static func store32(_ value: UInt32, _ bytes: inout [UInt8], at offset: Int) {
        Self.store16(UInt16(value >> 16), &bytes, at: offset)
        Self.store16(UInt16(truncatingIfNeeded: value), &bytes, at: offset + 2)
    }
}

extension PackedRRsets {
    /// The same records in storage of exactly their size.
    package func compacted() -> PackedRRsets {
        var copy = self
        copy.bytes = [UInt8](unsafeUninitializedCapacity: self.bytes.count) { buffer, initialized in
            _ = buffer.initialize(from: self.bytes)
            initialized = self.bytes.count
        }
        return copy
    }
}
