import DNSWire
import ZoneCompiler

/// The query path: bytes of a query and a snapshot in, bytes of the reply out. Pure — no
/// sockets, clock or logging — and allocation-free for answers from the compiled table.
/// Answering is: parse, look up (name, type), copy the compiled sections, patch the header,
/// echo the question as the client spelled it (0x20), append an OPT when the query had one.
package enum QueryResponder {
    /// The size of the output buffer `respond` needs: the largest TCP message.
    package static let maximumMessageSize = 65535

    /// The output capacity `respond` needs over `transport`: the most a reply may hold.
    package static func outputCapacity(for transport: Transport, settings: ResponderSettings) -> Int {
        transport == .tcp ? Self.maximumMessageSize : max(512, settings.maximumUDPPayload)
    }

    /// Answers `query`, writing the reply into `output`, which holds at least
    /// `outputCapacity(for:settings:)` bytes.
    package static func respond(
        to query: UnsafeRawBufferPointer, over transport: Transport, using snapshot: RecordSnapshot,
        settings: ResponderSettings = ResponderSettings(), into output: UnsafeMutableRawBufferPointer
    ) -> QueryOutcome {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: 1) { name in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { labelStarts in
                Self.respond(
                    to: query, over: transport, using: snapshot, settings: settings, into: output, name: name,
                    labelStarts: labelStarts)
            }
        }
    }

    /// Convenience for tests and tools: the reply as an array, nil when the query is dropped.
    package static func reply(
        to query: [UInt8], over transport: Transport, using snapshot: RecordSnapshot,
        settings: ResponderSettings = ResponderSettings()
    ) -> (bytes: [UInt8], outcome: QueryOutcome)? {
        var output = [UInt8](repeating: 0, count: Self.outputCapacity(for: transport, settings: settings))
        let outcome = query.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                Self.respond(to: input, over: transport, using: snapshot, settings: settings, into: out)
            }
        }
        switch outcome {
        case .drop: return nil
        case .reply(let length), .outOfZone(refusedLength: let length, request: _),
            .chase(length: let length, target: _, request: _):
            return (Array(output[0..<length]), outcome)
        case .zoneTransfer: return ([], outcome)
        }
    }

    private static func respond(
        to query: UnsafeRawBufferPointer, over transport: Transport, using snapshot: RecordSnapshot,
        settings: ResponderSettings, into output: UnsafeMutableRawBufferPointer, name: UnsafeMutableRawBufferPointer,
        labelStarts: UnsafeMutableBufferPointer<UInt8>
    ) -> QueryOutcome {
        switch QueryParser.parse(query, name: name, labelStarts: labelStarts) {
        case .drop:
            return .drop
        case .formatError(let id, let flags, let questionEnd):
            return .reply(
                length: Self.writeError(.formatError, id: id, flags: flags, question: questionEnd, query, output))
        case .notImplemented(let id, let flags, let questionEnd, let edns):
            let length = Self.writeError(.notImplemented, id: id, flags: flags, question: questionEnd, query, output)
            // RFC 6891 §7: a query with an OPT gets one back, an error included.
            guard let edns else { return .reply(length: length) }
            return .reply(
                length: Self.appendOPT(answering: edns, output, at: length, rcode: .notImplemented, settings, transport: transport))
        case .query(let parsed):
            return Self.answer(
                parsed, query, over: transport, snapshot, settings, output,
                UnsafeRawBufferPointer(rebasing: name[0..<parsed.nameLength]),
                UnsafeBufferPointer(rebasing: labelStarts[0..<parsed.labelCount]))
        }
    }

    private static func answer(
        _ parsed: ParsedQuery, _ query: UnsafeRawBufferPointer, over transport: Transport, _ snapshot: RecordSnapshot,
        _ settings: ResponderSettings, _ output: UnsafeMutableRawBufferPointer, _ name: UnsafeRawBufferPointer,
        _ labelStarts: UnsafeBufferPointer<UInt8>
    ) -> QueryOutcome {
        // RFC 6891 §6.1.3: a version we do not speak gets BADVERS, with our OPT and nothing else.
        if let edns = parsed.edns, edns.version > 0 {
            let length = Self.writeHeaderAndQuestion(parsed, query, output, rcode: .badVersion, authoritative: false, settings)
            return .reply(length: Self.appendOPT(parsed, output, at: length, rcode: .badVersion, settings))
        }
        // Class IN, or ANY (which an authoritative server answers from IN data); others refused.
        guard parsed.qclass == 1 || parsed.qclass == 255 else {
            return .reply(length: Self.writeRefused(parsed, query, output, settings))
        }
        let table = snapshot.table
        let zoneIndex = table.zone(containing: name, labelStarts: labelStarts)
        let shard = zoneIndex.flatMap { table.shard(for: name, hash: parsed.hash, zone: $0, labelStarts: labelStarts) }
        let entry = shard?.find(name, hash: parsed.hash)

        if parsed.qtype == RRType.axfr.rawValue || parsed.qtype == RRType.ixfr.rawValue {
            // Zone transfers only over TCP, only of a zone's apex (RFC 5936 §4.2).
            guard transport == .tcp, let zoneIndex, table.zones[zoneIndex].apex.count == name.count, entry != nil
            else {
                return .reply(length: Self.writeRefused(parsed, query, output, settings))
            }
            return .zoneTransfer(
                zone: zoneIndex, id: parsed.id, question: Array(query[12..<parsed.questionEnd]),
                edns: parsed.edns != nil)
        }

        guard let zoneIndex else {
            let length = Self.writeRefused(parsed, query, output, settings)
            return .outOfZone(refusedLength: length, request: Self.request(parsed, query, name, transport))
        }
        guard let shard, let entry else {
            if snapshot.options.pods == .insecure, zoneIndex == 0,
                let length = Self.insecurePodAnswer(parsed, query, snapshot, settings, output, name, labelStarts, transport)
            {
                return .reply(length: length)
            }
            return .reply(length: Self.writeBlob(table.zones[zoneIndex].nameError, table, parsed, query, transport, settings, output))
        }
        let answerIndex = shard.answerIndex(entry, qtype: parsed.qtype)
        guard answerIndex >= 0 else {
            let zone = Int(shard.names[entry].zone)
            return .reply(length: Self.writeBlob(table.zones[zone].noData, table, parsed, query, transport, settings, output))
        }
        let answer = shard.answers[answerIndex]
        let length = shard.bytes.withUnsafeBytes { arena in
            shard.cuts.withUnsafeBufferPointer { cuts in
                Self.writeAnswer(
                    AnswerView(
                        rcode: answer.rcode, answerCount: answer.answerCount, authorityCount: answer.authorityCount,
                        additionalCount: answer.additionalCount, authorityZone: Int(answer.authorityZone)),
                    bytes: UnsafeRawBufferPointer(rebasing: arena[Int(answer.start)..<(Int(answer.start) + Int(answer.length))]),
                    cuts: UnsafeBufferPointer(rebasing: cuts[Int(answer.cutStart)..<(Int(answer.cutStart) + Int(answer.cutCount))]),
                    table, parsed, query, transport, settings, output)
            }
        }
        if answer.externalTarget >= 0, parsed.qtype == RRType.a.rawValue || parsed.qtype == RRType.aaaa.rawValue {
            return .chase(
                length: length, target: shard.externalTargets[Int(answer.externalTarget)],
                request: Self.request(parsed, query, name, transport))
        }
        return .reply(length: length)
    }

    /// The question, kept for answering later (from a resolver).
    private static func request(
        _ parsed: ParsedQuery, _ query: UnsafeRawBufferPointer, _ name: UnsafeRawBufferPointer, _ transport: Transport
    ) -> ClientRequest {
        let spelled = Array(query[12..<(12 + parsed.nameLength)])
        return ClientRequest(
            id: parsed.id, flags: parsed.flags, question: Array(query[12..<parsed.questionEnd]),
            name: DomainName(uncheckedWire: spelled), qtype: RRType(rawValue: parsed.qtype), qclass: parsed.qclass,
            edns: parsed.edns, transport: transport)
    }

    /// The size a reply may have: 512 without EDNS over UDP (RFC 1035 §4.2.1); with EDNS the
    /// requestor's size, never below 512 and capped at ours; 65535 over TCP.
    static func sizeLimit(_ parsed: ParsedQuery, _ transport: Transport, _ settings: ResponderSettings) -> Int {
        switch transport {
        case .tcp: return Self.maximumMessageSize
        case .udp:
            guard let edns = parsed.edns else { return 512 }
            return max(512, min(edns.payloadSize, settings.maximumUDPPayload))
        }
    }

    /// What the writer needs to know of an answer besides its bytes.
    struct AnswerView {
        var rcode: UInt8
        var answerCount: UInt16
        var authorityCount: UInt16
        var additionalCount: UInt16
        /// The zone whose SOA to append to the authority section, or -1.
        var authorityZone: Int
    }

    /// A zone's negative answer (or another self-contained blob).
    static func writeBlob(
        _ blob: CompiledBlob, _ table: ShardedAnswerTable, _ parsed: ParsedQuery, _ query: UnsafeRawBufferPointer,
        _ transport: Transport, _ settings: ResponderSettings, _ output: UnsafeMutableRawBufferPointer
    ) -> Int {
        blob.bytes.withUnsafeBytes { bytes in
            blob.cuts.withUnsafeBufferPointer { cuts in
                Self.writeAnswer(
                    AnswerView(
                        rcode: blob.rcode, answerCount: blob.answerCount, authorityCount: blob.authorityCount,
                        additionalCount: blob.additionalCount, authorityZone: blob.authorityZone ?? -1),
                    bytes: bytes, cuts: cuts, table, parsed, query, transport, settings, output)
            }
        }
    }

    private static func writeAnswer(
        _ answer: AnswerView, bytes: UnsafeRawBufferPointer, cuts: UnsafeBufferPointer<CutPoint>,
        _ table: ShardedAnswerTable, _ parsed: ParsedQuery, _ query: UnsafeRawBufferPointer, _ transport: Transport,
        _ settings: ResponderSettings, _ output: UnsafeMutableRawBufferPointer
    ) -> Int {
        let optLength = Self.optLength(parsed, transport)
        let limit = Self.sizeLimit(parsed, transport, settings)
        // The zone's SOA, for chains that end without data: appended fresh (current serial).
        let authority = answer.authorityZone >= 0 ? table.zones[answer.authorityZone].noData.bytes : []
        let fixed = parsed.questionEnd + optLength
        var sectionLength = bytes.count
        var counts = (answer.answerCount, answer.authorityCount, answer.additionalCount)
        var truncated = false
        var appendAuthority = !authority.isEmpty
        if fixed + sectionLength + authority.count > limit {
            // Keep the longest run of whole RRsets that fits. Dropping only additional data is
            // not truncation (RFC 2181 §9); losing answer or authority data sets TC.
            sectionLength = 0
            counts = (0, 0, 0)
            for cut in cuts {
                guard fixed + Int(cut.end) + authority.count <= limit else { break }
                sectionLength = Int(cut.end)
                counts = (cut.answerCount, cut.authorityCount, cut.additionalCount)
            }
            truncated = counts.0 != answer.answerCount || counts.1 != answer.authorityCount
            if truncated { appendAuthority = false }
        }
        var length = Self.writeHeaderAndQuestion(
            parsed, query, output, rcode: ResponseCode(rawValue: UInt16(answer.rcode)) ?? .serverFailure,
            authoritative: true, settings)
        if truncated { output[2] |= 0x02 }
        UnsafeMutableRawBufferPointer(rebasing: output[length..<(length + sectionLength)]).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: bytes[0..<sectionLength]))
        length += sectionLength
        if appendAuthority && counts.2 == 0 {
            authority.withUnsafeBytes { soa in
                UnsafeMutableRawBufferPointer(rebasing: output[length..<(length + soa.count)]).copyMemory(from: soa)
            }
            length += authority.count
            counts.1 += 1
        }
        Self.store16(counts.0, output, 6)
        Self.store16(counts.1, output, 8)
        Self.store16(counts.2, output, 10)
        if parsed.edns != nil {
            length = Self.appendOPT(parsed, output, at: length, rcode: .noError, settings, transport: transport)
        }
        return length
    }

    /// Bytes of our OPT: 11, and 6 more for edns-tcp-keepalive over TCP.
    static func optLength(_ parsed: ParsedQuery, _ transport: Transport) -> Int {
        guard let edns = parsed.edns else { return 0 }
        return edns.keepalive && transport == .tcp ? 17 : 11
    }

    /// Writes the header (ID, opcode and RD/CD copied; QR set) and the question exactly as the
    /// client sent it; the counts say one question and nothing else yet.
    static func writeHeaderAndQuestion(
        _ parsed: ParsedQuery, _ query: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer,
        rcode: ResponseCode, authoritative: Bool, _ settings: ResponderSettings
    ) -> Int {
        var flags: UInt16 = 0x8000 | (parsed.flags & 0x7800) | (parsed.flags & 0x0100) | (parsed.flags & 0x0010)
        if authoritative { flags |= 0x0400 }
        if settings.recursionAvailable { flags |= 0x0080 }
        flags |= rcode.rawValue & 0xF
        Self.store16(parsed.id, output, 0)
        Self.store16(flags, output, 2)
        Self.store16(1, output, 4)
        Self.store16(0, output, 6)
        Self.store16(0, output, 8)
        Self.store16(0, output, 10)
        UnsafeMutableRawBufferPointer(rebasing: output[12..<parsed.questionEnd]).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: query[12..<parsed.questionEnd]))
        return parsed.questionEnd
    }

    /// Appends our OPT (RFC 6891 §6.1.2): root owner, our payload size, extended RCODE bits,
    /// version 0, the DO bit copied; no options but edns-tcp-keepalive, over TCP, when the query
    /// asked for it (RFC 7828 §3.3.2: our idle timeout; over UDP the option is ignored, §3.3.1).
    static func appendOPT(
        _ parsed: ParsedQuery, _ output: UnsafeMutableRawBufferPointer, at offset: Int, rcode: ResponseCode,
        _ settings: ResponderSettings, transport: Transport = .udp
    ) -> Int {
        Self.appendOPT(answering: parsed.edns, output, at: offset, rcode: rcode, settings, transport: transport)
    }

    /// Our OPT (RFC 6891 §6.1.2) in reply to the query's `edns`: our payload size, version 0,
    /// DO copied (RFC 3225 §3), edns-tcp-keepalive over TCP when asked (RFC 7828 §3.3.2).
    static func appendOPT(
        answering edns: EDNSInfo?, _ output: UnsafeMutableRawBufferPointer, at offset: Int, rcode: ResponseCode,
        _ settings: ResponderSettings, transport: Transport = .udp
    ) -> Int {
        output[offset] = 0
        Self.store16(41, output, offset + 1)
        Self.store16(UInt16(settings.maximumUDPPayload), output, offset + 3)
        output[offset + 5] = UInt8(truncatingIfNeeded: rcode.rawValue >> 4)
        output[offset + 6] = 0  // version
        output[offset + 7] = edns?.dnssecOK == true ? 0x80 : 0
        output[offset + 8] = 0
        let keepalive = transport == .tcp && edns?.keepalive == true
        Self.store16(keepalive ? 6 : 0, output, offset + 9)
        if keepalive {
            Self.store16(11, output, offset + 11)
            Self.store16(2, output, offset + 13)
            Self.store16(settings.tcpIdleTimeoutUnits, output, offset + 15)
        }
        let additional = UInt16(output[10]) << 8 | UInt16(output[11])
        Self.store16(additional + 1, output, 10)
        return offset + (keepalive ? 17 : 11)
    }

    static func writeRefused(
        _ parsed: ParsedQuery, _ query: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer,
        _ settings: ResponderSettings
    ) -> Int {
        let length = Self.writeHeaderAndQuestion(parsed, query, output, rcode: .refused, authoritative: false, settings)
        return parsed.edns == nil ? length : Self.appendOPT(parsed, output, at: length, rcode: .noError, settings)
    }

    /// FORMERR or NOTIMP: the header with the ID and opcode echoed; the question only when it
    /// could be read.
    private static func writeError(
        _ rcode: ResponseCode, id: UInt16, flags: UInt16, question: Int?, _ query: UnsafeRawBufferPointer,
        _ output: UnsafeMutableRawBufferPointer
    ) -> Int {
        Self.store16(id, output, 0)
        Self.store16(0x8000 | (flags & 0x7800) | (flags & 0x0100) | (rcode.rawValue & 0xF), output, 2)
        Self.store16(question == nil ? 0 : 1, output, 4)
        Self.store16(0, output, 6)
        Self.store16(0, output, 8)
        Self.store16(0, output, 10)
        guard let question else { return 12 }
        UnsafeMutableRawBufferPointer(rebasing: output[12..<question]).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: query[12..<question]))
        return question
    }

    @inline(__always)
    static func store16(_ value: UInt16, _ output: UnsafeMutableRawBufferPointer, _ offset: Int) {
        output[offset] = UInt8(value >> 8)
        output[offset + 1] = UInt8(truncatingIfNeeded: value)
    }
}
