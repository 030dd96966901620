import IPAddressing

/// Builds DNS wire data (RFC 1035 §4), with name compression (§4.1.4) when asked for.
/// Offsets of compressed names are message offsets: `base` is where `bytes` will start in the
/// final message, and `registerName(_:at:)` lets a caller add names already in the message
/// (the question at offset 12).
package struct WireWriter {
    package private(set) var bytes: [UInt8] = []
    private let compression: Bool
    private let base: Int
    /// A name already in the message: its lower-cased wire form, where it starts, and how many of
    /// its bytes are there literally (the rest, if any, was a pointer).
    private struct WrittenName {
        var wire: [UInt8]
        var offset: Int
        var literal: Int
    }

    /// Names written so far, searched linearly: answers hold a handful of names.
    private var written: [WrittenName] = []
    /// Past `linearLimit` names (zone transfers), suffixes are found through this table instead.
    private var suffixOffsets: [ArraySlice<UInt8>: Int] = [:]
    /// The keys of `suffixOffsets` in the order they were added, so a rollback can remove them.
    private var suffixLog: [ArraySlice<UInt8>] = []
    private static let linearLimit = 24

    /// A point to roll back to: what had been written, and which names were known, at the time.
    package struct Mark: Sendable, Equatable {
        fileprivate var count: Int
        fileprivate var written: Int
        fileprivate var suffixes: Int
    }

    /// With `questionOnly`: the one name written as a pointer (to offset 12).
    private var questionName: [UInt8]?

    package init(compression: Bool, base: Int = 0) {
        self.compression = compression
        self.base = base
    }

    /// A writer whose output fits behind any question: every name is written in full except
    /// `question` itself, which points at offset 12. What a wildcard's answers are compiled with
    /// (RFC 4592 §3.4.3): the owner becomes whatever name was asked, and no pointer depends on
    /// where the question ends.
    package init(questionOnly question: DomainName) {
        self.compression = false
        self.base = 0
        self.questionName = Self.lowered(question.wire)
    }

    package var count: Int { self.bytes.count }

    /// Room for `count` bytes, when the caller knows what it will write.
    package mutating func reserveCapacity(_ count: Int) { self.bytes.reserveCapacity(count) }

    /// The message offset of `bytes[index]`.
    package func messageOffset(of index: Int) -> Int { self.base + index }

    /// Where the writer stands now. Writing on and then `rollBack(to:)` when the result does not
    /// fit costs the length of what was written, where copying the writer to try a write would
    /// cost the whole message every time (quadratic over an answer of many RRsets).
    package var mark: Mark {
        Mark(count: self.bytes.count, written: self.written.count, suffixes: self.suffixLog.count)
    }

    /// Forgets everything written since `mark`: the bytes, and the names that later names could
    /// have pointed at (a pointer into bytes that are gone would be a forward reference).
    package mutating func rollBack(to mark: Mark) {
        self.bytes.removeLast(self.bytes.count - mark.count)
        self.written.removeLast(self.written.count - mark.written)
        while self.suffixLog.count > mark.suffixes {
            self.suffixOffsets.removeValue(forKey: self.suffixLog.removeLast())
        }
    }

    package mutating func writeUInt8(_ value: UInt8) { self.bytes.append(value) }

    package mutating func writeUInt16(_ value: UInt16) {
        self.bytes.append(UInt8(value >> 8))
        self.bytes.append(UInt8(truncatingIfNeeded: value))
    }

    package mutating func writeUInt32(_ value: UInt32) {
        self.writeUInt16(UInt16(value >> 16))
        self.writeUInt16(UInt16(truncatingIfNeeded: value))
    }

    package mutating func writeBytes(_ data: some Collection<UInt8>) { self.bytes += data }

    /// The same for the concrete types callers in other modules pass: a generic call across a
    /// module boundary is not specialized, and looked up type metadata on every record.
    package mutating func writeBytes(_ data: [UInt8]) { self.bytes.append(contentsOf: data) }

    package mutating func writeBytes(_ data: ArraySlice<UInt8>) { self.bytes.append(contentsOf: data) }

    /// An address's 4 or 16 octets, in network order.
    package mutating func writeAddress(_ address: IPAddress) {
        switch address.family {
        case .ipv4:
            self.writeUInt32(address.ipv4Value)
        case .ipv6:
            self.writeUInt32(UInt32(truncatingIfNeeded: address.high >> 32))
            self.writeUInt32(UInt32(truncatingIfNeeded: address.high))
            self.writeUInt32(UInt32(truncatingIfNeeded: address.low >> 32))
            self.writeUInt32(UInt32(truncatingIfNeeded: address.low))
        }
    }

    package mutating func setUInt16(_ value: UInt16, at offset: Int) {
        self.bytes[offset] = UInt8(value >> 8)
        self.bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Drops everything written after the first `count` bytes, and every name written there
    /// from the compression table (later names must not point into what is gone).
    package mutating func truncate(to count: Int) {
        guard count < self.bytes.count else { return }
        self.bytes.removeLast(self.bytes.count - count)
        let end = self.base + count
        self.written.removeAll { $0.offset >= end }
        if !self.suffixOffsets.isEmpty { self.suffixOffsets = self.suffixOffsets.filter { $0.value < end } }
    }

    /// Records that `name` sits at message offset `offset`, so later names can point at it.
    package mutating func registerName(_ name: DomainName, at offset: Int) {
        guard self.compression else { return }
        self.remember(Self.lowered(name.wire), at: offset, literal: name.wire.count)
    }

    /// Writes `name`, pointing at the longest suffix already written when compressing.
    package mutating func writeName(_ name: DomainName, compress: Bool = true, lowercase: Bool = false) {
        let wire = lowercase ? Self.lowered(name.wire) : name.wire
        guard self.compression else {
            if let question = self.questionName, compress, Self.lowered(wire) == question {
                self.writeUInt16(0xC00C)
                return
            }
            self.bytes += wire
            return
        }
        let lowered = lowercase ? wire : Self.lowered(wire)
        let start = self.base + self.bytes.count
        var index = 0
        while index < wire.count - 1 {
            if compress, let pointer = self.find(lowered, from: index), pointer < 0x4000 {
                self.bytes += wire[0..<index]
                self.writeUInt16(0xC000 | UInt16(pointer))
                if index > 0 { self.remember(lowered, at: start, literal: index) }
                return
            }
            index += 1 + Int(wire[index])
        }
        self.bytes += wire
        self.remember(lowered, at: start, literal: wire.count)
    }

    /// The message offset of a written copy of `name[index...]`, if any.
    private func find(_ name: [UInt8], from index: Int) -> Int? {
        let length = name.count - index
        if self.written.count > Self.linearLimit {
            return self.suffixOffsets[name[index...]]
        }
        for entry in self.written where entry.wire.count >= length {
            let position = entry.wire.count - length
            // A pointer holds 14 bits (RFC 1035 §4.1.4): a suffix past offset 0x3FFF cannot be a target.
            guard position < entry.literal, entry.offset + position < 0x4000, Self.isLabelStart(entry.wire, position)
            else { continue }
            if entry.wire[position...].elementsEqual(name[index...]) { return entry.offset + position }
        }
        return nil
    }

    private mutating func remember(_ wire: [UInt8], at offset: Int, literal: Int) {
        guard offset < 0x4000 else { return }
        self.written.append(WrittenName(wire: wire, offset: offset, literal: literal))
        if self.written.count > Self.linearLimit {
            if self.written.count == Self.linearLimit + 1 {
                for entry in self.written { self.index(entry) }
            } else {
                self.index(self.written[self.written.count - 1])
            }
        }
    }

    private mutating func index(_ entry: WrittenName) {
        var position = 0
        while position < entry.literal, position < entry.wire.count - 1 {
            let suffix = entry.wire[position...]
            if self.suffixOffsets[suffix] == nil, entry.offset + position < 0x4000 {
                self.suffixOffsets[suffix] = entry.offset + position
                self.suffixLog.append(suffix)
            }
            position += 1 + Int(entry.wire[position])
        }
    }

    private static func isLabelStart(_ wire: [UInt8], _ position: Int) -> Bool {
        var index = 0
        while index < position { index += 1 + Int(wire[index]) }
        return index == position
    }

    private static func lowered(_ wire: [UInt8]) -> [UInt8] {
        // Generated names are already lower case: skip the copy then.
        guard wire.contains(where: { (0x41...0x5A).contains($0) }) else { return wire }
        return wire.map(DomainName.lower)
    }

    /// Writes a whole record: owner, type, class IN, TTL, length and data.
    package mutating func writeRecord(_ record: ResourceRecord) {
        self.writeName(record.owner)
        self.writeUInt16(record.type.rawValue)
        self.writeUInt16(1)  // class IN
        self.writeUInt32(record.ttl)
        let lengthOffset = self.bytes.count
        self.writeUInt16(0)
        let start = self.bytes.count
        self.writeRData(record.rdata, lowercaseNames: false)
        self.setUInt16(UInt16(self.bytes.count - start), at: lengthOffset)
    }

    /// Writes rdata. Names in NS, CNAME, PTR and SOA may be compressed (RFC 3597 §4 keeps
    /// compression to the RFC 1035 types); SRV targets never are (RFC 2782).
    package mutating func writeRData(_ rdata: RData, lowercaseNames: Bool) {
        switch rdata {
        case .a(let address), .aaaa(let address):
            self.writeAddress(address)
        case .ns(let name), .cname(let name), .ptr(let name):
            self.writeName(name, lowercase: lowercaseNames)
        case .txt(let strings):
            for string in strings {
                self.writeUInt8(UInt8(min(string.count, 255)))
                self.writeBytes(string.prefix(255))
            }
        case .srv(let priority, let weight, let port, let target):
            self.writeUInt16(priority)
            self.writeUInt16(weight)
            self.writeUInt16(port)
            self.writeName(target, compress: false, lowercase: lowercaseNames)
        case .soa(let mname, let rname, let serial, let refresh, let retry, let expire, let minimum):
            self.writeName(mname, lowercase: lowercaseNames)
            self.writeName(rname, lowercase: lowercaseNames)
            self.writeUInt32(serial)
            self.writeUInt32(refresh)
            self.writeUInt32(retry)
            self.writeUInt32(expire)
            self.writeUInt32(minimum)
        case .mx(let preference, let exchange):
            self.writeUInt16(preference)
            self.writeName(exchange, lowercase: lowercaseNames)
        case .opaque(_, let bytes):
            self.writeBytes(bytes)
        }
    }
}
