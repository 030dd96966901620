#if canImport(Glibc)
import Glibc
#endif

/// A domain name, held in uncompressed wire form (length-prefixed labels ending in the root's
/// zero byte). Comparison and hashing are case-insensitive (RFC 4343); the spelling is kept.
package struct DomainName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The wire form, `\x03web\x03dev...\x00`.
    package private(set) var wire: [UInt8]

    /// The root name `.`.
    package static let root = DomainName(uncheckedWire: [0])

    /// A name from wire bytes already known to be valid.
    package init(uncheckedWire wire: [UInt8]) {
        self.wire = wire
    }

    /// A name from labels (not escaped), e.g. `["web", "dev", "svc", "cluster", "local"]`.
    /// nil when a label is empty or over 63 octets, or the name over 255 (RFC 1035 §2.3.4).
    package init?(labels: [String]) {
        var wire: [UInt8] = []
        for label in labels {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count <= 63 else { return nil }
            wire.append(UInt8(bytes.count))
            wire += bytes
        }
        wire.append(0)
        guard wire.count <= 255 else { return nil }
        self.wire = wire
    }

    /// Parses presentation text (`web.dev.svc.cluster.local.`, with `\.` and `\DDD` escapes).
    /// A missing final dot is allowed: every name here is absolute.
    package init?(_ text: String) {
        if text == "." || text.isEmpty {
            self.wire = [0]
            return
        }
        var wire: [UInt8] = []
        var label: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        func endLabel() -> Bool {
            guard !label.isEmpty, label.count <= 63 else { return false }
            wire.append(UInt8(label.count))
            wire += label
            label.removeAll(keepingCapacity: true)
            return true
        }
        while let byte = bytes.popFirst() {
            switch byte {
            case UInt8(ascii: "."):
                guard endLabel() else { return nil }
            case UInt8(ascii: "\\"):
                guard let next = bytes.popFirst() else { return nil }
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) {
                    guard bytes.count >= 2 else { return nil }
                    let digits = [next, bytes.removeFirst(), bytes.removeFirst()]
                    guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
                    let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                    guard value <= 255 else { return nil }
                    label.append(UInt8(value))
                } else {
                    label.append(next)
                }
            default:
                label.append(byte)
            }
        }
        if !label.isEmpty { guard endLabel() else { return nil } }
        wire.append(0)
        guard wire.count <= 255 else { return nil }
        self.wire = wire
    }

    /// The labels as raw bytes, leftmost first.
    package var labelBytes: [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var index = 0
        while index < self.wire.count, self.wire[index] != 0 {
            let length = Int(self.wire[index])
            result.append(self.wire[(index + 1)..<(index + 1 + length)])
            index += 1 + length
        }
        return result
    }

    package var labelCount: Int {
        var count = 0
        var index = 0
        while index < self.wire.count, self.wire[index] != 0 {
            count += 1
            index += 1 + Int(self.wire[index])
        }
        return count
    }

    package var isRoot: Bool { self.wire.count == 1 }

    /// Whether the first label is `*` (RFC 4592 §2.1.1: a wildcard domain name).
    package var isWildcard: Bool { self.wire.count > 2 && self.wire[0] == 1 && self.wire[1] == UInt8(ascii: "*") }

    /// The name without its leftmost label; the root's parent is the root.
    package var parent: DomainName {
        guard !self.isRoot else { return self }
        return DomainName(uncheckedWire: Array(self.wire[(1 + Int(self.wire[0]))...]))
    }

    /// `label` prepended: `DomainName("dev.svc.cluster.local").prepending("web")`.
    package func prepending(_ label: String) -> DomainName? {
        let count = label.utf8.count
        guard count > 0, count <= 63, self.wire.count + count + 1 <= 255 else { return nil }
        // Built in one buffer of the final size: every service, endpoint and port name of a
        // snapshot is made this way.
        var wire: [UInt8] = []
        wire.reserveCapacity(1 + count + self.wire.count)
        wire.append(UInt8(count))
        wire.append(contentsOf: label.utf8)
        wire.append(contentsOf: self.wire)
        return DomainName(uncheckedWire: wire)
    }

    /// `first.second.` prepended, in one buffer: an SRV owner's `_<port>._<proto>` labels.
    package func prepending(_ first: String, _ second: String) -> DomainName? {
        let firstCount = first.utf8.count
        let secondCount = second.utf8.count
        guard (1...63).contains(firstCount), (1...63).contains(secondCount), self.wire.count + firstCount + secondCount + 2 <= 255
        else { return nil }
        var wire: [UInt8] = []
        wire.reserveCapacity(2 + firstCount + secondCount + self.wire.count)
        wire.append(UInt8(firstCount))
        wire.append(contentsOf: first.utf8)
        wire.append(UInt8(secondCount))
        wire.append(contentsOf: second.utf8)
        wire.append(contentsOf: self.wire)
        return DomainName(uncheckedWire: wire)
    }

    /// Whether `other` has this name's parent, spelled byte for byte alike (the root has no
    /// parent): names side by side in a sorted or generated list mostly do, and share every
    /// ancestor.
    package func hasSameParentBytes(as other: DomainName) -> Bool {
        guard !self.isRoot, !other.isRoot else { return false }
        return self.wire.dropFirst(1 + Int(self.wire[0])).elementsEqual(other.wire.dropFirst(1 + Int(other.wire[0])))
    }

    /// The name in lower case (ASCII only, RFC 4343 §3).
    package var lowercased: DomainName {
        // Names are nearly always lower case already: then the same storage, not a copy.
        guard self.wire.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else { return self }
        return DomainName(uncheckedWire: self.wire.map(Self.lower))
    }

    @inline(__always)
    package static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// Whether this name is `other` or below it.
    package func isSubdomain(of other: DomainName) -> Bool {
        guard self.wire.count >= other.wire.count else { return false }
        var index = 0
        let offset = self.wire.count - other.wire.count
        // The suffix must start on a label boundary.
        while index < offset {
            index += 1 + Int(self.wire[index])
        }
        guard index == offset else { return false }
        for position in 0..<other.wire.count where Self.lower(self.wire[offset + position]) != Self.lower(other.wire[position]) {
            return false
        }
        return true
    }

    /// Presentation form with the final dot; special and non-printable octets escaped (RFC 4343 §2.1).
    package var description: String {
        if self.isRoot { return "." }
        // Fast path: labels of letters, digits, '-', '_' and '*' need no escaping.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.wire.count)
        var index = 0
        var plain = true
        while plain, index < self.wire.count, self.wire[index] != 0 {
            let length = Int(self.wire[index])
            for byte in self.wire[(index + 1)..<(index + 1 + length)] {
                let safe =
                    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2A
                if !safe {
                    plain = false
                    break
                }
                bytes.append(byte)
            }
            bytes.append(0x2E)
            index += 1 + length
        }
        if plain { return String(decoding: bytes, as: UTF8.self) }
        var text = ""
        for label in self.labelBytes {
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ";"), UInt8(ascii: "("),
                    UInt8(ascii: ")"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    text.append("\\")
                    text.append(Character(UnicodeScalar(byte)))
                case 0x21...0x7E:
                    text.append(Character(UnicodeScalar(byte)))
                default:
                    let digits = String(byte)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            text.append(".")
        }
        return text
    }

    package static func == (lhs: DomainName, rhs: DomainName) -> Bool {
        guard lhs.wire.count == rhs.wire.count else { return false }
        return lhs.wire.withUnsafeBytes { left in
            rhs.wire.withUnsafeBytes { right in
                // Names compared are mostly spelled alike: one memcmp settles those.
                if memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 { return true }
                for index in 0..<left.count where lower(left[index]) != lower(right[index]) { return false }
                return true
            }
        }
    }

    package func hash(into hasher: inout Hasher) {
        // The case-folded name, eight bytes at a time, folded into one word for one combine:
        // names are hashed millions of times while a snapshot is built.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        self.wire.withUnsafeBytes { bytes in
            var index = 0
            while index + 8 <= bytes.count {
                let word = Self.lowerASCII(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                hash = (hash ^ word) &* 0x100_0000_01b3
                hash ^= hash >> 29
                index += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                tail |= UInt64(Self.lower(bytes[index])) << shift
                shift += 8
                index += 1
            }
            hash = (hash ^ tail) &* 0x100_0000_01b3
        }
        hasher.combine(hash)
    }

    /// Each byte of `word` in [A-Z] turned to lower case, the others as they are (SWAR: bytes
    /// with the top bit set are left alone, as `lower` leaves them).
    @inline(__always)
    static func lowerASCII(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let seven = word & ~high
        let atLeastA = seven &+ ones &* (0x80 - 0x41)
        let pastZ = seven &+ ones &* (0x80 - 0x5B)
        let upper = atLeastA & ~pastZ & ~word & high
        return word | (upper >> 2)
    }

    /// Canonical DNS name order (RFC 4034 §6.1): by labels from the right, each compared as
    /// lower-case octet strings. Allocation-free: sorting a zone compares names a million times.
    package static func < (lhs: DomainName, rhs: DomainName) -> Bool {
        lhs.wire.withUnsafeBufferPointer { left in
            rhs.wire.withUnsafeBufferPointer { right in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { offsets in
                    let leftCount = Self.labelOffsets(left, into: offsets, from: 0)
                    let rightCount = Self.labelOffsets(right, into: offsets, from: 128)
                    var leftIndex = leftCount - 1
                    var rightIndex = rightCount - 1
                    while leftIndex >= 0, rightIndex >= 0 {
                        let a = offsets[leftIndex]
                        let b = offsets[128 + rightIndex]
                        let aLength = Int(left[a])
                        let bLength = Int(right[b])
                        for position in 0..<min(aLength, bLength) {
                            let x = lower(left[a + 1 + position])
                            let y = lower(right[b + 1 + position])
                            if x != y { return x < y }
                        }
                        if aLength != bLength { return aLength < bLength }
                        leftIndex -= 1
                        rightIndex -= 1
                    }
                    return leftCount < rightCount
                }
            }
        }
    }

    /// Writes the offset of each label of `wire` into `offsets[start...]`; returns the count.
    private static func labelOffsets(
        _ wire: UnsafeBufferPointer<UInt8>, into offsets: UnsafeMutableBufferPointer<Int>, from start: Int
    ) -> Int {
        var count = 0
        var index = 0
        while index < wire.count, wire[index] != 0, count < 128 {
            offsets[start + count] = index
            count += 1
            index += 1 + Int(wire[index])
        }
        return count
    }
}
