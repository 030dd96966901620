import DNSWire
import NIOCore

/// What the handlers note about each reply for metrics and the query log: the question type
/// and name read back from the reply, its RCODE, and who answered.
enum QueryObservation {
    /// The QTYPE and RCODE of a reply (nil when it holds no question), reading the echoed question.
    static func typeAndRcode(_ reply: UnsafeRawBufferPointer) -> (qtype: UInt16?, rcode: UInt16?) {
        guard reply.count >= 12 else { return (nil, nil) }
        let rcode = UInt16(reply[3] & 0x0F)
        guard reply[4] == 0, reply[5] == 1 else { return (nil, rcode) }
        var offset = 12
        while offset < reply.count, reply[offset] != 0, reply[offset] < 64 { offset += 1 + Int(reply[offset]) }
        guard offset + 3 <= reply.count else { return (nil, rcode) }
        return (UInt16(reply[offset + 1]) << 8 | UInt16(reply[offset + 2]), rcode)
    }

    /// Whether the reply has AA set: answered from our zones.
    static func isAuthoritative(_ reply: UnsafeRawBufferPointer) -> Bool {
        reply.count > 2 && reply[2] & 0x04 != 0
    }

    static func isAuthoritative(_ reply: ByteBuffer) -> Bool {
        reply.withUnsafeReadableBytes { Self.isAuthoritative($0) }
    }

    /// The question name of a reply in presentation form (for the query log), special and
    /// non-printable octets escaped as dig prints them (`\.`, `\010`; RFC 4343 §2.1).
    static func name(_ reply: UnsafeRawBufferPointer) -> String {
        var offset = 12
        var wire: [UInt8] = []
        while offset < reply.count, reply[offset] != 0, reply[offset] < 64, offset + 1 + Int(reply[offset]) <= reply.count,
            wire.count + 1 + Int(reply[offset]) < 255
        {
            wire += reply[offset..<(offset + 1 + Int(reply[offset]))]
            offset += 1 + Int(reply[offset])
        }
        wire.append(0)
        return DomainName(uncheckedWire: wire).description
    }
}
