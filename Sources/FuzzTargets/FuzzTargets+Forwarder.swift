import DNSWire
import Forwarder
import QueryEngine
import Synchronization

extension FuzzTargets {
    /// A small cache shared by every run, so that runs fill it, age it and evict from it.
    static let forwarderCache = Mutex(
        ResponseCache(capacity: 64, maximumTTL: 600, negativeMaximumTTL: 60, byteBudget: 48 << 10, maximumAnswerBytes: 8 << 10))

    /// A clock for the shared cache that moves on by what each input says.
    static let forwarderClock = Mutex<UInt64>(0)

    /// A hostile upstream's reply through the forwarder's whole path after the socket: the
    /// relevance filter, the TTL policy, the byte-bounded cache (stored, aged, looked up) and the
    /// reply writer, for a client over UDP without EDNS, with EDNS and DO, and over TCP.
    ///
    /// Byte 0 picks the client (bit 0: DO, bit 1: AD; bits 2-3: transport and EDNS), byte 1 the
    /// seconds that pass before the lookup, byte 2 makes names under `local.test.` ours; the rest
    /// is the reply. The question is the reply's own, as the forwarder accepts only those.
    ///
    /// What must hold whatever the reply: every answer record lies on the chain from the
    /// question's name; the authority holds at most one SOA, and DNSSEC denial records only for
    /// DO; no TTL is over the caps or has its top bit set; the cache stays within its budgets;
    /// the client's reply parses, fits, echoes the ID, never has AA, and AD only when asked for.
    @Sendable
    package static func forwarderCache(_ bytes: [UInt8]) {
        guard bytes.count >= 3 else { return }
        let (selector, elapsed, localSelector) = (bytes[0], UInt64(bytes[1]), bytes[2])
        let replyBytes = Array(bytes.dropFirst(3))
        guard let message = try? MessageParser.parse(replyBytes), let asked = message.question else { return }
        let question = ForwardQuestion(
            name: asked.name, type: asked.type, qclass: asked.qclass, dnssecOK: selector & 1 != 0)
        let localZone = DomainName("local.test.") ?? .root
        let isLocal: (DomainName) -> Bool = { localSelector & 1 != 0 && $0.isSubdomain(of: localZone) }

        let policy = TTLPolicy(maximumTTL: 600, negativeMaximumTTL: 60)
        let (answer, _, _) = ForwardedAnswer.kept(from: message, for: question, policy: policy, isLocal: isLocal)
        Self.checkRelevance(answer, question: question, isLocal: isLocal)
        Self.checkTTLs(answer, policy: policy)

        let cached: ForwardedAnswer? = Self.forwarderCache.withLock { cache in
            let now = Self.forwarderClock.withLock { clock -> UInt64 in
                clock += elapsed
                return clock
            }
            cache.store(question, answer, now: now)
            let found = cache.lookup(question, now: now + elapsed)
            guard cache.bytes <= cache.byteBudget, cache.count <= cache.capacity else {
                fatalError("cache over budget: \(cache.bytes) bytes, \(cache.count) entries")
            }
            return found
        }
        if let cached {
            Self.checkRelevance(cached, question: question, isLocal: isLocal)
            Self.checkTTLs(cached, policy: policy)
        }

        let clientAD = selector & 2 != 0
        let transport: Transport = selector & 4 != 0 ? .tcp : .udp
        let edns = selector & 8 != 0 ? EDNSInfo(payloadSize: 1232, version: 0, dnssecOK: selector & 1 != 0) : nil
        let query = QueryBuilder.query(question.name, question.type, id: 77, flags: 0x0100 | (clientAD ? 0x0020 : 0))
        let request = ClientRequest(
            id: 77, flags: 0x0100 | (clientAD ? 0x0020 : 0), question: Array(query[12...]), name: question.name,
            qtype: question.type, qclass: 1, edns: edns, transport: transport)
        for served in [answer, cached].compactMap({ $0 }) {
            let reply = ForwardedReply.write(
                request, rcode: served.rcode, authenticData: served.authenticData, answer: served.answer,
                authority: served.authority, settings: ResponderSettings(recursionAvailable: true))
            let limit = transport == .tcp ? 65535 : (edns == nil ? 512 : 1232)
            Self.check(reply, limit: limit, id: 77)
            guard reply[2] & 0x04 == 0 else { fatalError("AA set on forwarded data") }
            if reply[3] & 0x20 != 0, !clientAD, edns?.dnssecOK != true { fatalError("AD set for a client that did not ask") }
        }
    }

    /// Every answer record is on the chain from the question's name; the authority is a denial.
    private static func checkRelevance(_ answer: ForwardedAnswer, question: ForwardQuestion, isLocal: (DomainName) -> Bool) {
        let records = answer.answer.records
        var chain: [DomainName] = [question.name]
        for record in records where record.type == .cname {
            if let target = RelevanceFilter.name(in: record.rdata) { chain.append(target) }
        }
        let dnames = records.filter { $0.type == .dname }
        for record in records where record.type != .dname {
            let onChain =
                chain.contains(record.owner)
                || dnames.contains { dname in
                    RelevanceFilter.name(in: dname.rdata).map { record.owner.isSubdomain(of: $0) } ?? false
                }
            guard onChain else { fatalError("record off the chain kept: \(record.owner) \(record.type)") }
            guard record.owner == question.name || !isLocal(record.owner) else {
                fatalError("upstream data kept for one of our names: \(record.owner)")
            }
            guard record.rrclass == question.qclass else { fatalError("record of another class kept") }
        }
        let authority = answer.authority.records
        guard authority.filter({ $0.type == .soa }).count <= 1 else { fatalError("two SOAs kept") }
        for record in authority where record.type != .soa {
            guard question.dnssecOK, [RRType.nsec, .nsec3, .rrsig].contains(record.type) else {
                fatalError("authority record kept that proves nothing: \(record.type)")
            }
        }
    }

    private static func checkTTLs(_ answer: ForwardedAnswer, policy: TTLPolicy) {
        let cap = max(policy.maximumTTL, policy.negativeMaximumTTL)
        for record in answer.answer.records + answer.authority.records {
            guard record.ttl <= cap, record.ttl & 0x8000_0000 == 0 else { fatalError("TTL \(record.ttl) served") }
        }
    }
}
