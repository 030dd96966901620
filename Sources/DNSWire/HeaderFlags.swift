/// The flag bits of a message header's second word (RFC 1035 §4.1.1; AD and CD from RFC 4035
/// §3.2), without the opcode and RCODE fields, which `ReplyWriter` takes as values.
package struct HeaderFlags: OptionSet, Sendable, Hashable {
    package let rawValue: UInt16

    package init(rawValue: UInt16) { self.rawValue = rawValue }

    /// A response.
    package static let response = HeaderFlags(rawValue: 0x8000)
    /// The answer comes from an authority for the zone.
    package static let authoritative = HeaderFlags(rawValue: 0x0400)
    /// Records were left out to fit the size limit.
    package static let truncated = HeaderFlags(rawValue: 0x0200)
    /// The client asked for recursion.
    package static let recursionDesired = HeaderFlags(rawValue: 0x0100)
    /// This server recurses (forwards) for clients.
    package static let recursionAvailable = HeaderFlags(rawValue: 0x0080)
    /// The data was validated (RFC 4035 §3.2.3; RFC 6840 §5.8: only for a client that set AD or DO).
    package static let authenticData = HeaderFlags(rawValue: 0x0020)
    /// The client disabled checking.
    package static let checkingDisabled = HeaderFlags(rawValue: 0x0010)

    /// The opcode field of a header word.
    package static func opcode(of word: UInt16) -> UInt16 { (word >> 11) & 0xF }

    /// The opcode of a standard query.
    package static let queryOpcode: UInt16 = 0
}
