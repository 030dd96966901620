/// A query's header, question and OPT, as read from its bytes. The question name itself was
/// lower-cased into a scratch buffer while parsing, with its hash and label offsets.
package struct ParsedQuery: Sendable {
    package var id: UInt16
    /// The second header word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE).
    package var flags: UInt16
    /// Length of the question name in wire form.
    package var nameLength: Int
    /// Offset just past QTYPE and QCLASS: the question is `bytes[12 ..< questionEnd]`.
    package var questionEnd: Int
    package var qtype: UInt16
    package var qclass: UInt16
    /// FNV-1a of the lower-cased name.
    package var hash: UInt32
    /// How many labels the name has; their offsets are in the label scratch buffer.
    package var labelCount: Int
    package var edns: EDNSInfo?

    package var opcode: UInt16 { (self.flags >> 11) & 0xF }
}
