/// A whole DNS message, read: header fields, the question, and the three record sections (the
/// OPT pulled out of the additional section into `edns`).
package struct ParsedMessage: Sendable, Hashable {
    package var id: UInt16
    package var flags: UInt16
    package var question: (name: DomainName, type: RRType, qclass: UInt16)?
    package var answer: [WireRecord]
    package var authority: [WireRecord]
    package var additional: [WireRecord]
    /// The OPT's payload size, extended RCODE bits, version and flags, if there was one.
    package var edns: (payloadSize: UInt16, extendedRcode: UInt8, version: UInt8, flags: UInt16)?

    package init(
        id: UInt16, flags: UInt16, question: (name: DomainName, type: RRType, qclass: UInt16)?, answer: [WireRecord],
        authority: [WireRecord], additional: [WireRecord],
        edns: (payloadSize: UInt16, extendedRcode: UInt8, version: UInt8, flags: UInt16)? = nil
    ) {
        self.id = id
        self.flags = flags
        self.question = question
        self.answer = answer
        self.authority = authority
        self.additional = additional
        self.edns = edns
    }

    package var isResponse: Bool { self.flags & HeaderFlags.response.rawValue != 0 }
    package var isTruncated: Bool { self.flags & HeaderFlags.truncated.rawValue != 0 }
    /// The full RCODE (with the OPT's extended bits).
    package var rcode: UInt16 { UInt16(self.edns?.extendedRcode ?? 0) << 4 | (self.flags & 0x000F) }

    package static func == (lhs: ParsedMessage, rhs: ParsedMessage) -> Bool {
        lhs.id == rhs.id && lhs.flags == rhs.flags && lhs.question?.name == rhs.question?.name
            && lhs.question?.type == rhs.question?.type && lhs.answer == rhs.answer && lhs.authority == rhs.authority
            && lhs.additional == rhs.additional
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(self.id)
        hasher.combine(self.answer)
    }
}
