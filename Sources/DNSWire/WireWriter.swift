/// Builds DNS wire data (RFC 1035 §4), with name compression (§4.1.4) when asked for.
/// Offsets of compressed names are message offsets: `base` is where `bytes` will start in the
/// final message, and `registerName(_:at:)` lets a caller add names already in the message
/// (the question at offset 12).
package struct WireWriter {
    package private(set) var bytes: [UInt8] = []
    private let compression: Bool
    private let base: Int
    /// Lower-cased wire suffixes already written, by message offset.
    private var offsets: [ArraySlice<UInt8>: Int] = [:]

    package init(compression: Bool, base: Int = 0) {
        self.compression = compression
        self.base = base
    }

    package var count: Int { self.bytes.count }

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

    package mutating func setUInt16(_ value: UInt16, at offset: Int) {
        self.bytes[offset] = UInt8(value >> 8)
        self.bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Records that `name` sits at message offset `offset`, so later names can point at it.
    package mutating func registerName(_ name: DomainName, at offset: Int) {
        guard self.compression else { return }
        let wire = name.lowercased.wire
        var index = 0
        while index < wire.count - 1 {
            let suffix = wire[index...]
            if self.offsets[suffix] == nil, offset + index < 0x4000 { self.offsets[suffix] = offset + index }
            index += 1 + Int(wire[index])
        }
    }

    /// Writes `name`, pointing at the longest suffix already written when compressing.
    package mutating func writeName(_ name: DomainName, compress: Bool = true, lowercase: Bool = false) {
        let wire = lowercase ? name.lowercased.wire : name.wire
        guard self.compression, compress else {
            self.bytes += wire
            return
        }
        let lowered = lowercase ? wire : name.lowercased.wire
        var index = 0
        var newSuffixes: [(ArraySlice<UInt8>, Int)] = []
        while index < wire.count - 1 {
            let suffix = lowered[index...]
            if let pointer = self.offsets[suffix] {
                self.writeUInt16(0xC000 | UInt16(pointer))
                for (suffix, offset) in newSuffixes where offset < 0x4000 { self.offsets[suffix] = offset }
                return
            }
            newSuffixes.append((suffix, self.base + self.bytes.count))
            let length = Int(wire[index])
            self.bytes += wire[index...(index + length)]
            index += 1 + length
        }
        self.bytes.append(0)
        for (suffix, offset) in newSuffixes where offset < 0x4000 { self.offsets[suffix] = offset }
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
        case .a(let bytes), .aaaa(let bytes):
            self.writeBytes(bytes)
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
        }
    }
}
