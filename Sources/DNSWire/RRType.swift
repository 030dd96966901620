/// A resource record type (RFC 1035 §3.2.2 and later), with its mnemonic.
package struct RRType: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    package var rawValue: UInt16

    package init(rawValue: UInt16) { self.rawValue = rawValue }

    package static let a = RRType(rawValue: 1)
    package static let ns = RRType(rawValue: 2)
    package static let cname = RRType(rawValue: 5)
    package static let soa = RRType(rawValue: 6)
    package static let ptr = RRType(rawValue: 12)
    package static let hinfo = RRType(rawValue: 13)
    package static let mx = RRType(rawValue: 15)
    package static let txt = RRType(rawValue: 16)
    package static let aaaa = RRType(rawValue: 28)
    package static let srv = RRType(rawValue: 33)
    package static let dname = RRType(rawValue: 39)
    package static let opt = RRType(rawValue: 41)
    package static let rrsig = RRType(rawValue: 46)
    package static let nsec = RRType(rawValue: 47)
    package static let nsec3 = RRType(rawValue: 50)
    package static let ixfr = RRType(rawValue: 251)
    package static let axfr = RRType(rawValue: 252)
    package static let any = RRType(rawValue: 255)

    private static let names: [UInt16: String] = [
        1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 13: "HINFO", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV",
        39: "DNAME", 41: "OPT", 46: "RRSIG", 47: "NSEC", 50: "NSEC3", 251: "IXFR", 252: "AXFR", 255: "ANY",
    ]

    /// The mnemonic, or `TYPE<n>` (RFC 3597 §5) for types without one here.
    package var description: String { Self.names[self.rawValue] ?? "TYPE\(self.rawValue)" }

    /// Parses a mnemonic or `TYPE<n>`, case-insensitively.
    package init?(_ text: String) {
        let upper = text.uppercased()
        if let match = Self.names.first(where: { $0.value == upper }) {
            self.rawValue = match.key
        } else if upper.hasPrefix("TYPE"), let value = UInt16(upper.dropFirst(4)) {
            self.rawValue = value
        } else {
            return nil
        }
    }

    package static func < (lhs: RRType, rhs: RRType) -> Bool { lhs.rawValue < rhs.rawValue }
}
