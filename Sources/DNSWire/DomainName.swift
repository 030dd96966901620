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

    /// The name without its leftmost label; the root's parent is the root.
    package var parent: DomainName {
        guard !self.isRoot else { return self }
        return DomainName(uncheckedWire: Array(self.wire[(1 + Int(self.wire[0]))...]))
    }

    /// `label` prepended: `DomainName("dev.svc.cluster.local").prepending("web")`.
    package func prepending(_ label: String) -> DomainName? {
        let bytes = Array(label.utf8)
        guard !bytes.isEmpty, bytes.count <= 63, self.wire.count + bytes.count + 1 <= 255 else { return nil }
        return DomainName(uncheckedWire: [UInt8(bytes.count)] + bytes + self.wire)
    }

    /// The name in lower case (ASCII only, RFC 4343 §3).
    package var lowercased: DomainName {
        DomainName(uncheckedWire: self.wire.map(Self.lower))
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
        lhs.wire.count == rhs.wire.count && zip(lhs.wire, rhs.wire).allSatisfy { lower($0) == lower($1) }
    }

    package func hash(into hasher: inout Hasher) {
        for byte in self.wire { hasher.combine(Self.lower(byte)) }
    }

    /// Canonical DNS name order (RFC 4034 §6.1): by labels from the right, each compared as
    /// lower-case octet strings.
    package static func < (lhs: DomainName, rhs: DomainName) -> Bool {
        let left = lhs.labelBytes
        let right = rhs.labelBytes
        var leftIndex = left.count - 1
        var rightIndex = right.count - 1
        while leftIndex >= 0, rightIndex >= 0 {
            let a = left[leftIndex]
            let b = right[rightIndex]
            var ai = a.startIndex
            var bi = b.startIndex
            while ai < a.endIndex, bi < b.endIndex {
                let x = lower(a[ai])
                let y = lower(b[bi])
                if x != y { return x < y }
                ai += 1
                bi += 1
            }
            if a.count != b.count { return a.count < b.count }
            leftIndex -= 1
            rightIndex -= 1
        }
        return left.count < right.count
    }
}
