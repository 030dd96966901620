import DNSWire

/// Writes the reply to a client from records that came from elsewhere (an upstream resolver,
/// or a chased ExternalName target): the client's ID and question, RA, RD and CD copied, the
/// records compressed, cut to the size limit at RRset boundaries (TC when answer data is lost),
/// an OPT when the query had one.
package enum ForwardedReply {
    package static func write(
        _ request: ClientRequest, rcode: UInt16, authoritative: Bool = false, authenticData: Bool = false,
        answer: [WireRecord], authority: [WireRecord] = [], additional: [WireRecord] = [],
        settings: ResponderSettings
    ) -> [UInt8] {
        let limit: Int
        switch request.transport {
        case .tcp: limit = QueryResponder.maximumMessageSize
        case .udp: limit = request.edns.map { max(512, min($0.payloadSize, settings.maximumUDPPayload)) } ?? 512
        }
        let optLength = request.edns == nil ? 0 : 11
        let questionEnd = 12 + request.question.count
        var writer = WireWriter(compression: true, base: questionEnd)
        writer.registerName(request.name, at: 12)
        var counts: [UInt16] = [0, 0, 0]
        var truncated = false
        sections: for (section, records) in [answer, authority, additional].enumerated() {
            var index = 0
            while index < records.count {
                // One RRset at a time: records of the same owner and type.
                var end = index + 1
                while end < records.count, records[end].owner == records[index].owner, records[end].type == records[index].type {
                    end += 1
                }
                var trial = writer
                for record in records[index..<end] { Self.writeRecord(record, into: &trial) }
                if questionEnd + trial.count + optLength > limit {
                    truncated = section < 2
                    break sections
                }
                writer = trial
                counts[section] += UInt16(end - index)
                index = end
            }
        }
        var flags: UInt16 = 0x8000 | (request.flags & 0x0100) | (request.flags & 0x0010) | 0x0080
        if authoritative { flags |= 0x0400 }
        if authenticData { flags |= 0x0020 }
        if truncated { flags |= 0x0200 }
        flags |= rcode & 0x000F
        var bytes: [UInt8] = []
        bytes.reserveCapacity(questionEnd + writer.count + optLength)
        for value in [request.id, flags, 1, counts[0], counts[1], counts[2] + (request.edns == nil ? 0 : 1)] {
            bytes.append(UInt8(value >> 8))
            bytes.append(UInt8(truncatingIfNeeded: value))
        }
        bytes += request.question
        bytes += writer.bytes
        if let edns = request.edns {
            let payload = UInt16(settings.maximumUDPPayload)
            bytes += [0, 0, 41, UInt8(payload >> 8), UInt8(payload & 0xFF), UInt8(truncatingIfNeeded: rcode >> 4), 0]
            bytes += [edns.dnssecOK ? 0x80 : 0, 0, 0, 0]
        }
        return bytes
    }

    /// SERVFAIL: no upstream could answer in time.
    package static func serverFailure(_ request: ClientRequest, settings: ResponderSettings) -> [UInt8] {
        Self.write(request, rcode: ResponseCode.serverFailure.rawValue, answer: [], settings: settings)
    }

    private static func writeRecord(_ record: WireRecord, into writer: inout WireWriter) {
        writer.writeName(record.owner)
        writer.writeUInt16(record.type.rawValue)
        writer.writeUInt16(record.rrclass)
        writer.writeUInt32(record.ttl)
        writer.writeUInt16(UInt16(record.rdata.count))
        writer.writeBytes(record.rdata)
    }
}
