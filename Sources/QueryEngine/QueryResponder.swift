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
        var qtype: UInt16?
        let action = withUnsafeTemporaryAllocation(byteCount: 256, alignment: 1) { name in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { labelStarts in
                Self.respond(
                    to: query, over: transport, using: snapshot, settings: settings, into: output, name: name,
                    labelStarts: labelStarts, qtype: &qtype)
            }
        }
        return QueryOutcome(action, qtype: qtype, written: output)
    }

    private static func respond(
        to query: UnsafeRawBufferPointer, over transport: Transport, using snapshot: RecordSnapshot,
        settings: ResponderSettings, into output: UnsafeMutableRawBufferPointer, name: UnsafeMutableRawBufferPointer,
        labelStarts: UnsafeMutableBufferPointer<UInt8>, qtype: inout UInt16?
    ) -> QueryOutcome.Action {
        switch QueryParser.parse(query, name: name, labelStarts: labelStarts) {
        case .drop:
            return .drop
        case .formatError(let id, let flags, let questionEnd):
            return .reply(
                length: Self.writeError(.formatError, id: id, flags: flags, question: questionEnd, edns: nil, query, output, settings, transport))
        case .notImplemented(let id, let flags, let questionEnd, let edns):
            // RFC 6891 §7: a query with an OPT gets one back, an error included.
            return .reply(
                length: Self.writeError(.notImplemented, id: id, flags: flags, question: questionEnd, edns: edns, query, output, settings, transport))
        case .query(let parsed):
            qtype = parsed.qtype
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
    ) -> QueryOutcome.Action {
        // RFC 6891 §6.1.3: a version we do not speak gets BADVERS, with our OPT and nothing else.
        if let edns = parsed.edns, edns.version > 0 {
            var reply = Self.start(parsed, query, output, rcode: .badVersion, authoritative: false, settings)
            reply.appendOPT(Self.opt(parsed.edns, rcode: .badVersion, settings, transport))
            return .reply(length: reply.finish())
        }
        // Class IN, or ANY (which an authoritative server answers from IN data); others refused.
        guard parsed.qclass == 1 || parsed.qclass == 255 else {
            return .reply(length: Self.writeRefused(parsed, query, output, settings, transport))
        }
        let table = snapshot.table
        let zoneIndex = table.zone(containing: name, labelStarts: labelStarts)
        let shard = zoneIndex.flatMap { table.shard(for: name, hash: parsed.hash, zone: $0, labelStarts: labelStarts) }
        let entry = shard?.find(name, hash: parsed.hash)

        if snapshot.awaitingSource, zoneIndex != nil {
            // Our zones before the source's first complete state: not known yet is a server
            // failure (RFC 1035 §4.1.1), which resolvers retry, not a cacheable NXDOMAIN.
            var reply = Self.start(parsed, query, output, rcode: .serverFailure, authoritative: false, settings)
            if parsed.edns != nil { reply.appendOPT(Self.opt(parsed.edns, rcode: .serverFailure, settings, transport)) }
            return .reply(length: reply.finish())
        }
        if parsed.qtype == RRType.axfr.rawValue || parsed.qtype == RRType.ixfr.rawValue {
            // Zone transfers only over TCP, only of a zone's apex (RFC 5936 §4.2).
            guard transport == .tcp, let zoneIndex, table.zones[zoneIndex].apexLength == name.count, entry != nil
            else {
                return .reply(length: Self.writeRefused(parsed, query, output, settings, transport))
            }
            // The REFUSED for a client the transfer policy does not name, written ahead.
            return .zoneTransfer(
                zone: zoneIndex, id: parsed.id, question: Array(query[12..<parsed.questionEnd]),
                refusedLength: Self.writeRefused(parsed, query, output, settings, transport))
        }

        guard let zoneIndex else {
            let length = Self.writeRefused(parsed, query, output, settings, transport)
            return .outOfZone(refusedLength: length, request: Self.request(parsed, query, name, transport))
        }
        var match = shard.flatMap { shard in entry.map { (shard, $0) } }
        if match == nil, let shard, table.zones[zoneIndex].fileShard >= 0,
            let wildcard = Self.wildcardEntry(name, labelStarts, in: shard, apexLength: table.zones[zoneIndex].apexLength)
        {
            match = (shard, wildcard)
        }
        guard let (shard, entry) = match else {
            if snapshot.options.pods == .insecure, zoneIndex == 0,
                let length = Self.insecurePodAnswer(parsed, query, snapshot, settings, output, name, labelStarts, transport)
            {
                return .reply(length: length)
            }
            return .reply(length: Self.writeBlob(table.zones[zoneIndex].nameError, table, parsed, query, transport, settings, output))
        }
        let answerIndex = shard.answerIndex(entry, qtype: parsed.qtype)
        guard answerIndex >= 0 else {
            let zone = shard.zone(at: entry)
            return .reply(length: Self.writeBlob(table.zones[zone].noData, table, parsed, query, transport, settings, output))
        }
        let answer = shard.answer(at: answerIndex)
        let length = shard.records.withUnsafeBytes { arena in
            shard.cuts.withUnsafeBufferPointer { cuts in
                Self.writeAnswer(
                    AnswerView(
                        rcode: answer.rcode, answerCount: answer.answerCount, authorityCount: answer.authorityCount,
                        additionalCount: answer.additionalCount, authorityZone: Int(answer.authorityZone)),
                    bytes: UnsafeRawBufferPointer(rebasing: arena[answer.bytes]),
                    cuts: UnsafeBufferPointer(rebasing: cuts[answer.cuts]),
                    table, parsed, query, transport, settings, output)
            }
        }
        if answer.externalChain >= 0, parsed.qtype == RRType.a.rawValue || parsed.qtype == RRType.aaaa.rawValue {
            return .chase(
                length: length, chain: shard.externalChains[Int(answer.externalChain)],
                request: Self.request(parsed, query, name, transport))
        }
        return .reply(length: length)
    }

    /// For a name a zone file's zone does not hold: the entry of the wildcard at its closest
    /// encloser, the longest ancestor that exists (RFC 4592 §3.3.1), if there is one. Its
    /// answers were compiled to go behind any question (`WireWriter(questionOnly:)`).
    static func wildcardEntry(
        _ name: UnsafeRawBufferPointer, _ labelStarts: UnsafeBufferPointer<UInt8>, in shard: AnswerShard, apexLength: Int
    ) -> Int? {
        guard labelStarts.count > 1 else { return nil }
        for index in 1..<labelStarts.count {
            let offset = Int(labelStarts[index])
            guard name.count - offset >= apexLength else { return nil }
            let encloser = UnsafeRawBufferPointer(rebasing: name[offset...])
            guard shard.find(encloser, hash: NameHash.hash(encloser)) != nil else { continue }
            guard encloser.count + 2 <= 255, let source = encloser.baseAddress else { return nil }
            return withUnsafeTemporaryAllocation(byteCount: encloser.count + 2, alignment: 1) { buffer -> Int? in
                guard let base = buffer.baseAddress else { return nil }
                buffer[0] = 1
                buffer[1] = UInt8(ascii: "*")
                (base + 2).copyMemory(from: source, byteCount: encloser.count)
                let wildcard = UnsafeRawBufferPointer(buffer)
                return shard.find(wildcard, hash: NameHash.hash(wildcard))
            }
        }
        return nil
    }

    /// The question of `query` as a `ClientRequest`, or nil when it is not a query we answer.
    package static func request(for query: UnsafeRawBufferPointer, over transport: Transport) -> ClientRequest? {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: 1) { name in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { labelStarts in
                guard case .query(let parsed) = QueryParser.parse(query, name: name, labelStarts: labelStarts) else {
                    return nil
                }
                return Self.request(parsed, query, UnsafeRawBufferPointer(rebasing: name[0..<parsed.nameLength]), transport)
            }
        }
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
        let opt = parsed.edns.map { _ in Self.opt(parsed.edns, rcode: .noError, settings, transport) }
        // The zone's SOA, for chains that end without data: appended fresh (current serial).
        let authority = answer.authorityZone >= 0 ? table.zones[answer.authorityZone].noData.bytes : []
        var reply = Self.start(
            parsed, query, output, rcode: ResponseCode(rawValue: UInt16(answer.rcode)) ?? .serverFailure,
            authoritative: true, settings)
        reply.appendSections(
            bytes, counts: (answer.answerCount, answer.authorityCount, answer.additionalCount), cuts: cuts,
            limit: Self.sizeLimit(parsed, transport, settings), reserve: authority.count + (opt?.length ?? 0))
        // The SOA goes in the authority section, so only where no additional data precedes it.
        if !reply.flags.contains(.truncated), !authority.isEmpty, reply.additionalCount == 0 {
            authority.withUnsafeBytes { reply.appendAuthority($0, count: 1) }
        }
        if let opt { reply.appendOPT(opt) }
        return reply.finish()
    }

    /// Our OPT in reply to a query's (RFC 6891 §6.1.2): our payload size, DO copied (RFC 3225
    /// §3), edns-tcp-keepalive over TCP when asked (RFC 7828 §3.3.2: our idle timeout; over UDP
    /// the option is ignored, §3.3.1).
    static func opt(_ edns: EDNSInfo?, rcode: ResponseCode, _ settings: ResponderSettings, _ transport: Transport) -> ReplyOPT {
        ReplyOPT(
            payloadSize: UInt16(clamping: settings.maximumUDPPayload), rcode: rcode, dnssecOK: edns?.dnssecOK == true,
            keepaliveTimeout: transport == .tcp && edns?.keepalive == true ? settings.tcpIdleTimeoutUnits : nil)
    }

    /// A reply to a parsed query: header (ID, opcode and RD/CD copied, QR, AA when
    /// `authoritative`, RA when we forward) and the question exactly as the client sent it.
    static func start(
        _ parsed: ParsedQuery, _ query: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer,
        rcode: ResponseCode, authoritative: Bool, _ settings: ResponderSettings
    ) -> ReplyWriter {
        // From the raw value: an array literal would go through the generic SetAlgebra
        // initializer, unspecialized across modules, on every reply.
        var flags = HeaderFlags(rawValue: 0)
        if authoritative { flags.insert(.authoritative) }
        if settings.recursionAvailable { flags.insert(.recursionAvailable) }
        var reply = ReplyWriter(into: output, id: parsed.id, queryWord: parsed.flags, rcode: rcode, flags: flags)
        reply.echoQuestion(UnsafeRawBufferPointer(rebasing: query[12..<parsed.questionEnd]))
        return reply
    }

    static func writeRefused(
        _ parsed: ParsedQuery, _ query: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer,
        _ settings: ResponderSettings, _ transport: Transport
    ) -> Int {
        var reply = Self.start(parsed, query, output, rcode: .refused, authoritative: false, settings)
        if parsed.edns != nil { reply.appendOPT(Self.opt(parsed.edns, rcode: .noError, settings, transport)) }
        return reply.finish()
    }

    /// FORMERR or NOTIMP: the header with the ID and opcode echoed (RD and CD only for a standard
    /// query); the question only when it could be read; our OPT when the query had a readable one.
    private static func writeError(
        _ rcode: ResponseCode, id: UInt16, flags: UInt16, question: Int?, edns: EDNSInfo?,
        _ query: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer, _ settings: ResponderSettings,
        _ transport: Transport
    ) -> Int {
        var reply = ReplyWriter(into: output, id: id, queryWord: flags, rcode: rcode, flags: HeaderFlags(rawValue: 0))
        if let question { reply.echoQuestion(UnsafeRawBufferPointer(rebasing: query[12..<question])) }
        if let edns { reply.appendOPT(Self.opt(edns, rcode: rcode, settings, transport)) }
        return reply.finish()
    }
}
