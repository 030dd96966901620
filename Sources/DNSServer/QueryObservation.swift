import NIOCore

/// What the handlers note about each reply for metrics and the query log: the question type
/// and name read back from the reply, its RCODE, and who answered.
enum QueryObservation {
    /// The QTYPE and RCODE of a reply (nil when it holds no question), reading the echoed question.
    static func typeAndRcode(_ reply: ByteBuffer) -> (qtype: UInt16?, rcode: UInt16?) {
        guard reply.readableBytes >= 12, let flags = reply.getInteger(at: reply.readerIndex + 2, as: UInt16.self) else {
            return (nil, nil)
        }
        let rcode = flags & 0x000F
        guard reply.getInteger(at: reply.readerIndex + 4, as: UInt16.self) == 1 else { return (nil, rcode) }
        var offset = reply.readerIndex + 12
        while let length = reply.getInteger(at: offset, as: UInt8.self), length != 0, length < 64 { offset += 1 + Int(length) }
        return (reply.getInteger(at: offset + 1, as: UInt16.self), rcode)
    }

    /// Whether the reply has AA set: answered from our zones.
    static func isAuthoritative(_ reply: ByteBuffer) -> Bool {
        (reply.getInteger(at: reply.readerIndex + 2, as: UInt8.self) ?? 0) & 0x04 != 0
    }

    /// The question name of a reply in presentation form (for the query log).
    static func name(_ reply: ByteBuffer) -> String {
        var offset = reply.readerIndex + 12
        var labels: [String] = []
        while let length = reply.getInteger(at: offset, as: UInt8.self), length != 0, length < 64 {
            labels.append(reply.getString(at: offset + 1, length: Int(length)) ?? "?")
            offset += 1 + Int(length)
        }
        return labels.joined(separator: ".") + "."
    }
}
