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
        let opt = request.edns.map { edns in
            ReplyOPT(
                payloadSize: UInt16(clamping: settings.maximumUDPPayload), rcodeValue: rcode, dnssecOK: edns.dnssecOK,
                keepaliveTimeout: request.transport == .tcp && edns.keepalive ? settings.tcpIdleTimeoutUnits : nil)
        }
        let optLength = opt?.length ?? 0
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
        var flags: HeaderFlags = .recursionAvailable
        let clientAskedForAD = request.flags & HeaderFlags.authenticData.rawValue != 0 || request.edns?.dnssecOK == true
        if authenticData && clientAskedForAD { flags.insert(.authenticData) }
        if truncated { flags.insert(.truncated) }
        var bytes = [UInt8](repeating: 0, count: questionEnd + writer.count + optLength)
        bytes.withUnsafeMutableBytes { output in
            var reply = ReplyWriter(into: output, id: request.id, queryWord: request.flags, rcodeValue: rcode, flags: flags)
            request.question.withUnsafeBytes { reply.echoQuestion($0) }
            _ = writer.bytes.withUnsafeBytes { sections in
                reply.appendSections(
                    sections, counts: (counts[0], counts[1], 0), cuts: UnsafeBufferPointer(start: nil, count: 0), limit: .max)
            }
            if let opt { reply.appendOPT(opt) }
            _ = reply.finish()
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
