import DNSWire
import ZoneCompiler

/// The messages of a full zone transfer (AXFR, RFC 5936; also the reply to IXFR, which RFC 1995
/// §4 allows to be AXFR-style): the SOA, every record, the SOA again, packed into messages that
/// each fit a TCP frame. The question is echoed in the first message only (RFC 5936 §2.2.1).
package enum ZoneTransfer {
    /// The largest message built; well under 65535 so that every frame stays small.
    package static let messageBudget = 16_384

    package static func messages(of zone: Zone, id: UInt16, question: [UInt8]) -> [[UInt8]] {
        let records = zone.sortedRecords
        guard let soa = records.first, soa.type == .soa else { return [] }
        let stream = records + [soa]
        var messages: [[UInt8]] = []
        var index = 0
        while index < stream.count {
            let includeQuestion = messages.isEmpty
            let headerLength = 12 + (includeQuestion ? question.count : 0)
            var writer = WireWriter(compression: true, base: headerLength)
            var count: UInt16 = 0
            var body: [UInt8]?
            while index < stream.count {
                let mark = writer.count
                writer.writeRecord(stream[index])
                if headerLength + writer.count > Self.messageBudget, count > 0 {
                    // This record starts the next message.
                    body = Array(writer.bytes[0..<mark])
                    break
                }
                count += 1
                index += 1
            }
            let payload = body ?? writer.bytes
            var message = [UInt8](repeating: 0, count: headerLength + payload.count)
            message.withUnsafeMutableBytes { output in
                var reply = ReplyWriter(into: output, id: id, queryWord: 0, rcode: .noError, flags: .authoritative)
                if includeQuestion { question.withUnsafeBytes { reply.echoQuestion($0) } }
                _ = payload.withUnsafeBytes { bytes in
                    reply.appendSections(bytes, counts: (count, 0, 0), cuts: UnsafeBufferPointer(start: nil, count: 0), limit: .max)
                }
                _ = reply.finish()
            }
            messages.append(message)
        }
        return messages
    }
}
