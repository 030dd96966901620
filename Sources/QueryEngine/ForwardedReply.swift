import DNSWire

/// Writes the reply to a client from records that came from elsewhere (an upstream resolver,
/// or a chased ExternalName target): the client's ID and question, RA, RD and CD copied, the
/// records compressed, cut to the size limit at RRset boundaries (TC when answer data is lost),
/// an OPT when the query had one.
///
/// Never AA: the data is not ours (RFC 1035 §4.1.1 gives AA to an authority for the name, and a
/// forwarder is none). AD only for a client that set AD or DO (RFC 6840 §5.8): others did not
/// ask to hear about validation.
package enum ForwardedReply {
    package static func write(
        _ request: ClientRequest, rcode: UInt16, authenticData: Bool = false, answer: PackedRRsets,
        authority: PackedRRsets = PackedRRsets(), settings: ResponderSettings
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
        var counts: [UInt16] = [0, 0]
        var truncated = false
        var lastOwner: (wire: ArraySlice<UInt8>, pointer: [UInt8])?
        sections: for (section, records) in [answer, authority].enumerated() {
            for rrset in records.rrsets {
                // Written in place, and taken back when it does not fit: each RRset costs its own
                // length, so an answer of thousands of RRsets is written in linear time.
                let mark = writer.mark
                Self.writeRRset(rrset, of: records, into: &writer, lastOwner: &lastOwner)
                if questionEnd + writer.count + optLength > limit {
                    writer.rollBack(to: mark)
                    truncated = true
                    break sections
                }
                counts[section] += UInt16(rrset.count)
            }
        }
        var flags: UInt16 = 0x8000 | (request.flags & 0x0100) | (request.flags & 0x0010) | 0x0080
        let clientAskedForAD = request.flags & 0x0020 != 0 || request.edns?.dnssecOK == true
        if authenticData && clientAskedForAD { flags |= 0x0020 }
        if truncated { flags |= 0x0200 }
        flags |= rcode & 0x000F
        var bytes: [UInt8] = []
        bytes.reserveCapacity(questionEnd + writer.count + optLength)
        for value in [request.id, flags, 1, counts[0], counts[1], request.edns == nil ? 0 : 1] {
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
        Self.write(request, rcode: ResponseCode.serverFailure.rawValue, answer: PackedRRsets(), settings: settings)
    }

    /// One RRset: the owner compressed once, then repeated as a pointer to where it was written;
    /// an RRset with the same owner as the one before it (ANY, or a name's several types) starts
    /// with that pointer too, without searching the names again.
    private static func writeRRset(
        _ rrset: PackedRRsets.RRset, of records: PackedRRsets, into writer: inout WireWriter,
        lastOwner: inout (wire: ArraySlice<UInt8>, pointer: [UInt8])?
    ) {
        var ownerBytes: [UInt8] = []
        if let last = lastOwner, last.wire.elementsEqual(records.bytes[rrset.owner]) { ownerBytes = last.pointer }
        records.forEachRdata(of: rrset) { rdata in
            if ownerBytes.isEmpty {
                let start = writer.count
                writer.writeName(records.owner(of: rrset))
                ownerBytes = Array(writer.bytes[start...])
                let pointer = writer.messageOffset(of: start)
                if ownerBytes.count > 2, pointer < 0x4000 {
                    // Later records point at this copy instead of searching the names again.
                    ownerBytes = [0xC0 | UInt8(pointer >> 8), UInt8(truncatingIfNeeded: pointer)]
                }
                if ownerBytes.count == 2 { lastOwner = (records.bytes[rrset.owner], ownerBytes) }
            } else {
                writer.writeBytes(ownerBytes)
            }
            writer.writeUInt16(rrset.type.rawValue)
            writer.writeUInt16(rrset.rrclass)
            writer.writeUInt32(rrset.ttl)
            writer.writeUInt16(UInt16(rdata.count))
            writer.writeBytes(rdata)
        }
    }
}
