import DNSWire

/// The question's name of a message, for the query log.
enum QuestionName {
    /// The name of the question at offset 12 of `message` in presentation form, special and
    /// non-printable octets escaped as dig prints them (`\.`, `\010`; RFC 4343 §2.1).
    static func text(of message: UnsafeRawBufferPointer) -> String {
        var offset = 12
        var wire: [UInt8] = []
        while offset < message.count, message[offset] != 0, message[offset] < 64,
            offset + 1 + Int(message[offset]) <= message.count, wire.count + 1 + Int(message[offset]) < 255
        {
            wire += message[offset..<(offset + 1 + Int(message[offset]))]
            offset += 1 + Int(message[offset])
        }
        guard message.count > 12 else { return "-" }
        wire.append(0)
        return DomainName(uncheckedWire: wire).description
    }

    /// The same from an array.
    static func text(of message: [UInt8]) -> String { message.withUnsafeBytes { Self.text(of: $0) } }
}
