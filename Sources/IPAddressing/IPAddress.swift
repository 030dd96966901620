/// An IPv4 or IPv6 address as a value: 128 bits and a family, no allocation.
/// IPv4 addresses live in the low 32 bits of `low`.
package struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address family, named as Kubernetes names it in `ipFamilies`.
    package enum Family: String, Sendable, Hashable, Comparable {
        case ipv4 = "IPv4"
        case ipv6 = "IPv6"

        package static func < (lhs: Family, rhs: Family) -> Bool { lhs == .ipv4 && rhs == .ipv6 }

        /// The other family: a dual-stack object's second one.
        package var other: Family { self == .ipv4 ? .ipv6 : .ipv4 }
    }

    package var family: Family
    package var high: UInt64
    package var low: UInt64

    package init(ipv4 value: UInt32) {
        self.family = .ipv4
        self.high = 0
        self.low = UInt64(value)
    }

    package init(ipv6 high: UInt64, _ low: UInt64) {
        self.family = .ipv6
        self.high = high
        self.low = low
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail).
    package init?(_ text: some StringProtocol) {
        // Searched by byte, in a concrete type: by character, or through the generic
        // protocol, it was most of parsing an address.
        let text = Substring(text)
        if text.utf8.contains(UInt8(ascii: ":")) {
            guard let (high, low) = Self.parseIPv6(text) else { return nil }
            self.init(ipv6: high, low)
        } else {
            guard let value = Self.parseIPv4(text) else { return nil }
            self.init(ipv4: value)
        }
    }

    package var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: self.low) }

    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6 (the rdata of A / AAAA).
    package var bytes: [UInt8] {
        switch self.family {
        case .ipv4:
            let value = self.ipv4Value
            return [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
                UInt8(truncatingIfNeeded: value)]
        case .ipv6:
            var result: [UInt8] = []
            result.reserveCapacity(16)
            for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: self.high >> shift)) }
            for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: self.low >> shift)) }
            return result
        }
    }

    /// Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`).
    package var description: String {
        switch self.family {
        case .ipv4:
            let value = self.ipv4Value
            return "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
        case .ipv6:
            let groups = (0..<8).map { index -> UInt16 in
                let word = index < 4 ? self.high : self.low
                return UInt16(truncatingIfNeeded: word >> (UInt64(3 - index % 4) * 16))
            }
            // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first if tied.
            var bestStart = -1
            var bestLength = 1
            var index = 0
            while index < 8 {
                if groups[index] == 0 {
                    var end = index
                    while end < 8, groups[end] == 0 { end += 1 }
                    if end - index > bestLength {
                        bestStart = index
                        bestLength = end - index
                    }
                    index = end
                } else {
                    index += 1
                }
            }
            func hex(_ range: Range<Int>) -> String {
                range.map { String(groups[$0], radix: 16) }.joined(separator: ":")
            }
            if bestStart < 0 { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    /// The address with `:` and `.` replaced by `-`: the label Kubernetes DNS uses for endpoints
    /// without a hostname and for pod records (`10-244-1-5`, `fd00-10--5`).
    package var dashed: String {
        guard self.family == .ipv4 else {
            return String(decoding: self.description.utf8.map { $0 == UInt8(ascii: ":") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
        }
        // Written straight into the string's bytes (at most 15: a small string, no allocation):
        // every endpoint without a hostname and every pod record is named by it, at every build.
        let value = self.ipv4Value
        return String(unsafeUninitializedCapacity: 15) { buffer in
            var count = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                if shift != 24 {
                    buffer[count] = UInt8(ascii: "-")
                    count += 1
                }
                let octet = UInt8(truncatingIfNeeded: value >> UInt32(shift))
                if octet >= 100 {
                    buffer[count] = UInt8(ascii: "0") + octet / 100
                    count += 1
                }
                if octet >= 10 {
                    buffer[count] = UInt8(ascii: "0") + octet / 10 % 10
                    count += 1
                }
                buffer[count] = UInt8(ascii: "0") + octet % 10
                count += 1
            }
            return count
        }
    }

    /// The owner name of the address's PTR record, without the trailing dot:
    /// `5.1.244.10.in-addr.arpa`, or 32 nibbles then `ip6.arpa` (RFC 3596 §2.5).
    package var reverseName: String {
        // The wire form's labels, dot-separated (each is digits or a hex letter: nothing to escape).
        var text = ""
        let wire = self.reverseWireName
        var index = 0
        while wire[index] != 0 {
            let length = Int(wire[index])
            if !text.isEmpty { text += "." }
            text += String(decoding: wire[(index + 1)...(index + length)], as: UTF8.self)
            index += length + 1
        }
        return text
    }

    /// The PTR owner name in DNS wire form (each label after its length byte, then the root's
    /// zero), made without text: a large cluster's reverse zones need one per address (170,000
    /// at L). `reverseName` is its text.
    package var reverseWireName: [UInt8] {
        var wire: [UInt8] = []
        switch self.family {
        case .ipv4:
            wire.reserveCapacity(4 * 4 + Self.inAddrArpaWire.count)
            let value = self.ipv4Value
            for shift in stride(from: 0, to: 32, by: 8) {
                let octet = UInt8((value >> UInt32(shift)) & 0xFF)
                wire.append(octet >= 100 ? 3 : octet >= 10 ? 2 : 1)
                if octet >= 100 { wire.append(0x30 + octet / 100) }
                if octet >= 10 { wire.append(0x30 + octet / 10 % 10) }
                wire.append(0x30 + octet % 10)
            }
            wire += Self.inAddrArpaWire
        case .ipv6:
            wire.reserveCapacity(32 * 2 + Self.ip6ArpaWire.count)
            for word in [self.low, self.high] {
                for nibble in 0..<16 {
                    let digit = UInt8((word >> (UInt64(nibble) * 4)) & 0xF)
                    wire.append(1)
                    wire.append(digit < 10 ? 0x30 + digit : 0x61 + digit - 10)
                }
            }
            wire += Self.ip6ArpaWire
        }
        return wire
    }

    private static let inAddrArpaWire: [UInt8] = [7] + Array("in-addr".utf8) + [4] + Array("arpa".utf8) + [0]
    private static let ip6ArpaWire: [UInt8] = [3] + Array("ip6".utf8) + [4] + Array("arpa".utf8) + [0]

    /// The address a reverse name spells (`reverseName`, with or without the trailing dot, any
    /// letter case); nil for any other name. A static function, not an initializer: `IPAddress.init`
    /// passed as a `(String) -> IPAddress?` must keep meaning the address parser.
    package static func parsing(reverseName name: String) -> IPAddress? {
        var labels = name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map { Array($0)[...] }
        if labels.last?.isEmpty == true { labels.removeLast() }
        return Self.parsing(reverseLabels: labels)
    }

    /// The address whose reverse name has these labels (leftmost first, the root's left out):
    /// exactly what `reverseName` spells — four decimal labels (0–255, no leading zero) then
    /// `in-addr.arpa`, or 32 one-nibble labels then `ip6.arpa` (RFC 3596 §2.5) — in any letter
    /// case; nil for anything else. The one reader of reverse names: PTR state is kept by address
    /// and found again from an owner name's wire labels with it.
    package static func parsing(reverseLabels labels: [ArraySlice<UInt8>]) -> IPAddress? {
        func lower(_ byte: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte }
        func isLabel(_ label: ArraySlice<UInt8>, _ text: String) -> Bool {
            label.count == text.utf8.count && zip(label, text.utf8).allSatisfy { lower($0) == $1 }
        }
        if labels.count == 6 {
            guard isLabel(labels[4], "in-addr"), isLabel(labels[5], "arpa") else { return nil }
            var value: UInt32 = 0
            for label in labels[0..<4].reversed() {
                guard (1...3).contains(label.count), label.count == 1 || label.first != UInt8(ascii: "0") else { return nil }
                var octet: UInt32 = 0
                for byte in label {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                    octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                }
                guard octet <= 255 else { return nil }
                value = value << 8 | octet
            }
            return IPAddress(ipv4: value)
        }
        guard labels.count == 34, isLabel(labels[32], "ip6"), isLabel(labels[33], "arpa") else { return nil }
        var words: (low: UInt64, high: UInt64) = (0, 0)
        for (position, label) in labels[0..<32].enumerated() {
            guard label.count == 1, let byte = label.first.map(lower) else { return nil }
            let nibble: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
            if position < 16 { words.low |= nibble << (UInt64(position) * 4) } else { words.high |= nibble << (UInt64(position - 16) * 4) }
        }
        return IPAddress(ipv6: words.high, words.low)
    }

    /// Adds `offset` to the address, wrapping within its family.
    package func advanced(by offset: UInt64) -> IPAddress {
        switch self.family {
        case .ipv4:
            return IPAddress(ipv4: self.ipv4Value &+ UInt32(truncatingIfNeeded: offset))
        case .ipv6:
            let (low, carry) = self.low.addingReportingOverflow(offset)
            return IPAddress(ipv6: self.high &+ (carry ? 1 : 0), low)
        }
    }

    package static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.family, lhs.high, lhs.low) < (rhs.family, rhs.high, rhs.low)
    }

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var part: UInt32 = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1
                part = 0
                digits = 0
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, part <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    private static func parseIPv6(_ text: Substring) -> (UInt64, UInt64)? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var remaining = text
        if remaining.hasPrefix("::") {
            sawDoubleColon = true
            remaining = remaining.dropFirst(2)
        } else if remaining.hasPrefix(":") {
            return nil
        }
        while !remaining.isEmpty {
            let end = remaining.firstIndex(of: ":") ?? remaining.endIndex
            let piece = remaining[remaining.startIndex..<end]
            if piece.contains(".") {
                // An embedded IPv4 address must be the last piece.
                guard end == remaining.endIndex, let v4 = parseIPv4(piece) else { return nil }
                let groups = [UInt16(v4 >> 16), UInt16(truncatingIfNeeded: v4)]
                if sawDoubleColon { tail += groups } else { head += groups }
                remaining = remaining[end...]
                break
            }
            guard !piece.isEmpty, piece.count <= 4, let group = UInt16(piece, radix: 16) else { return nil }
            if sawDoubleColon { tail.append(group) } else { head.append(group) }
            remaining = remaining[end...]
            if remaining.hasPrefix("::") {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                remaining = remaining.dropFirst(2)
            } else if remaining.hasPrefix(":") {
                remaining = remaining.dropFirst()
                guard !remaining.isEmpty else { return nil }
            }
        }
        let count = head.count + tail.count
        if sawDoubleColon { guard count < 8 else { return nil } } else { guard count == 8 else { return nil } }
        let groups = head + Array(repeating: 0, count: 8 - count) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
        return (high, low)
    }
}
