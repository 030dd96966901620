import ClusterModel
import DNSWire
import IPAddressing
import Manifests
import QueryEngine
import Testing
import ZoneCompiler
import LDNSTestSupport

@Suite("The query path: header rules, EDNS(0), truncation, malformed input")
struct ProtocolTests {
    private func header(id: UInt16 = 0xBEEF, flags: UInt16 = 0x0100, counts: [UInt16] = [1, 0, 0, 0]) -> [UInt8] {
        var bytes = [UInt8(id >> 8), UInt8(id & 0xFF), UInt8(flags >> 8), UInt8(flags & 0xFF)]
        for count in counts { bytes += [UInt8(count >> 8), UInt8(count & 0xFF)] }
        return bytes
    }

    private let webQuestion: [UInt8] = [3] + Array("web".utf8) + [3] + Array("dev".utf8) + [3] + Array("svc".utf8)
        + [7] + Array("cluster".utf8) + [5] + Array("local".utf8) + [0, 0, 1, 0, 1]

    private func raw(_ bytes: [UInt8], over transport: Transport = .udp) -> [UInt8]? {
        QueryResponder.reply(to: bytes, over: transport, using: referenceSnapshot)?.bytes
    }

    private func rcode(_ reply: [UInt8]) -> Int { Int(reply[3] & 0x0F) }

    // MARK: messages that get no answer at all

    @Test(arguments: [[], [0x12], Array(repeating: UInt8(0), count: 11)])
    func shorterThanAHeaderIsDropped(bytes: [UInt8]) {
        #expect(raw(bytes) == nil)
    }

    @Test func responsesAreDropped() {
        #expect(raw(header(flags: 0x8100) + webQuestion) == nil)
    }

    // MARK: FORMERR, echoing the ID

    @Test(arguments: [
        ("no question", [UInt16(0), 0, 0, 0], [UInt8]()),
        ("two questions", [UInt16(2), 0, 0, 0], [UInt8]()),
    ])
    func questionCountOtherThanOneIsFormatError(_ label: String, counts: [UInt16], extra: [UInt8]) throws {
        let reply = try #require(raw(header(counts: counts) + webQuestion + webQuestion))
        #expect(rcode(reply) == 1, "\(label)")
        #expect(reply[0] == 0xBE && reply[1] == 0xEF)
        #expect(reply[2] & 0x80 != 0)
    }

    static let unreadableQuestions: [(String, [UInt8])] = {
        let web: [UInt8] = [3, 0x77, 0x65, 0x62]
        let tail: [UInt8] = [0, 0, 1, 0, 1]
        let longLabel: [UInt8] = [63] + [UInt8](repeating: 0x61, count: 63)
        var overlong: [UInt8] = []
        for _ in 0..<4 { overlong += longLabel }
        return [
            ("pointer in the question", web + [0xC0, 0x0C, 0, 1, 0, 1]),
            ("label over 63", [64] + [UInt8](repeating: 0x61, count: 64) + tail),
            ("label type 0x40", [0x41, 0x61] + tail),
            ("label type 0x80", [0x81, 0x61] + tail),
            ("truncated label", [10, 0x61, 0x62, 0x63]),
            ("no type and class", web + [0]),
            ("name over 255", overlong + tail),
        ]
    }()

    @Test(arguments: Self.unreadableQuestions)
    func unreadableQuestionIsFormatError(_ label: String, question: [UInt8]) throws {
        let reply = try #require(raw(header() + question), "\(label)")
        #expect(rcode(reply) == 1, "\(label)")
        #expect(reply[0] == 0xBE && reply[1] == 0xEF)
        #expect(LDNSDecodedMessage.decode(reply) != nil)
    }

    @Test func legalMaximumLengthNameWithBinaryLabelsIsAnswered() throws {
        // 255 octets: 3 labels of 63, one of 61, the root; binary octets are legal in labels.
        var question: [UInt8] = []
        for _ in 0..<3 { question += [63] + Array(repeating: UInt8(0xFF), count: 63) }
        question += [61] + Array(repeating: UInt8(0x00), count: 61) + [0, 0, 1, 0, 1]
        let reply = try #require(raw(header() + question))
        #expect(rcode(reply) == 5)  // outside our zones: REFUSED, but answered
        #expect(Array(reply[12..<(12 + question.count)]) == question)
    }

    @Test func lyingCountsAreFormatError() throws {
        let reply = try #require(raw(header(counts: [1, 0, 0, 2]) + webQuestion))
        #expect(rcode(reply) == 1)
    }

    // MARK: opcode, class, type rules

    @Test(arguments: [UInt16(1), 2, 4, 5])
    func opcodesOtherThanQueryAreNotImplemented(opcode: UInt16) throws {
        let reply = try #require(raw(header(flags: opcode << 11) + webQuestion))
        #expect(rcode(reply) == 4)
        #expect((reply[2] >> 3) & 0x0F == UInt8(opcode))
        #expect(reply[6] == 0 && reply[7] == 0)  // nothing applied, nothing answered
    }

    /// RD and CD are defined for QUERY only (RFC 1035 §4.1.1): a reply to another opcode has QR,
    /// the opcode and the RCODE, and echoes nothing else.
    @Test(arguments: [UInt16(1), 2, 4, 5, 15])
    func notImplementedEchoesOnlyTheOpcode(opcode: UInt16) throws {
        let reply = try #require(raw(header(flags: opcode << 11 | 0x0100 | 0x0010 | 0x0020) + webQuestion))
        #expect(rcode(reply) == 4)
        #expect(UInt16(reply[2]) << 8 | UInt16(reply[3]) == 0x8000 | opcode << 11 | 4)
    }

    @Test(arguments: [UInt16(2), 4, 5])
    func notImplementedAnswersTheOPT(opcode: UInt16) throws {
        // Root owner, type OPT, payload 4096, extended RCODE 0, version 0, DO set, no options.
        let opt: [UInt8] = [0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0]
        let reply = try #require(raw(header(flags: opcode << 11, counts: [1, 0, 0, 1]) + webQuestion + opt))
        #expect(rcode(reply) == 4)
        #expect(reply[10] == 0 && reply[11] == 1, "RFC 6891 §7: an OPT in the query gets an OPT back")
        let ours = Array(reply.suffix(11))
        #expect(ours[0] == 0 && ours[1] == 0 && ours[2] == 41)
        #expect(ours[5] == 0 && ours[6] == 0, "extended RCODE 0, version 0")
        #expect(ours[7] & 0x80 != 0, "DO copied")
        // Without an OPT, none comes back.
        let plain = try #require(raw(header(flags: opcode << 11) + webQuestion))
        #expect(plain[10] == 0 && plain[11] == 0)
    }

    @Test func classesOtherThanINAreRefused() throws {
        let chaos = try #require(exchange(QueryBuilder.query(name("version.bind."), .txt, qclass: 3)))
        #expect(chaos.message.rcode == 5)
        let any = try #require(exchange(QueryBuilder.query(name("web.dev.svc.cluster.local."), .a, qclass: 255)))
        #expect(any.message.rcode == 0)
        #expect(any.message.answer.count == 1)
    }

    @Test func zoneTransferOverUDPIsRefused() throws {
        for type in [RRType.axfr, .ixfr] {
            let reply = try #require(ask("cluster.local.", type))
            #expect(reply.rcode == 5)
            #expect(reply.answer.isEmpty)
        }
    }

    @Test func zoneTransferOverTCPIsHandedToTheTransport() throws {
        let query = QueryBuilder.query(name("cluster.local."), .axfr)
        let result = try #require(QueryResponder.reply(to: query, over: .tcp, using: referenceSnapshot))
        guard case .zoneTransfer(let zone, let id, _, _) = result.outcome.action else {
            Issue.record("expected a zone transfer, got \(result.outcome)")
            return
        }
        #expect(zone == 0)
        #expect(id == 0x1234)
        // Not a zone apex: refused.
        let below = try #require(exchange(QueryBuilder.query(name("svc.cluster.local."), .axfr), over: .tcp))
        #expect(below.message.rcode == 5)
    }

    @Test func zoneTransferMessagesHoldTheWholeZoneBetweenTwoSOAs() throws {
        let zone = try #require(referenceSnapshot.zones.first)
        let messages = ZoneTransfer.messages(of: zone, id: 7, question: Array(QueryBuilder.query(name("cluster.local."), .axfr)[12...]))
        let records = messages.compactMap(LDNSDecodedMessage.decode).flatMap(\.answer)
        #expect(records.count == zone.records.count + 1)
        #expect(records.first?.contains(" SOA ") == true && records.last == records.first)
    }

    // MARK: EDNS(0), RFC 6891

    @Test func optInQueryGetsOurOPT() throws {
        let query = QueryBuilder.query(
            name("web.dev.svc.cluster.local."), .a, payloadSize: 4096, dnssecOK: true,
            options: [0x00, 0x0A, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8])  // a client cookie
        let (reply, bytes) = try #require(exchange(query))
        let edns = try #require(reply.edns)
        #expect(edns.payloadSize == 1232)
        #expect(edns.version == 0)
        #expect(edns.dnssecOK)
        // Unknown options are not echoed: the OPT is exactly 11 bytes at the end.
        #expect(Array(bytes.suffix(11)) == [0, 0, 41, 0x04, 0xD0, 0, 0, 0x80, 0, 0, 0])
    }

    @Test func noOPTInQueryMeansNoOPTInReply() throws {
        #expect(try #require(ask("web.dev.svc.cluster.local.", .a)).edns == nil)
    }

    @Test func ednsVersionOneGetsBadVersion() throws {
        let query = QueryBuilder.query(name("web.dev.svc.cluster.local."), .a, payloadSize: 1232, ednsVersion: 1)
        let (reply, _) = try #require(exchange(query))
        #expect(reply.rcode == 16)
        #expect(reply.answer.isEmpty && reply.authority.isEmpty)
        #expect(reply.edns?.version == 0)
    }

    @Test func twoOPTsAreFormatError() throws {
        let opt: [UInt8] = [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
        let reply = try #require(raw(header(counts: [1, 0, 0, 2]) + webQuestion + opt + opt))
        #expect(rcode(reply) == 1)
        // The question was readable, so it is echoed (the fault lies after it).
        #expect(reply[4] == 0 && reply[5] == 1)
        #expect(Array(reply[12...]) == webQuestion)
    }

    @Test func optionOverrunningItsOPTIsFormatError() throws {
        let opt: [UInt8] = [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 6, 0x00, 0x0A, 0x00, 0x08, 1, 2]
        let reply = try #require(raw(header(counts: [1, 0, 0, 1]) + webQuestion + opt))
        #expect(rcode(reply) == 1)
    }

    @Test func optNotOwnedByTheRootIsFormatError() throws {
        let opt: [UInt8] = [1, 0x61, 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
        let reply = try #require(raw(header(counts: [1, 0, 0, 1]) + webQuestion + opt))
        #expect(rcode(reply) == 1)
    }

    // MARK: size limits and truncation

    static let bigSnapshot: RecordSnapshot = {
        let endpoints = (1...100).map { index in
            ClusterEndpoint(
                addresses: [ip("10.244.\(index / 250).\(index % 250 + 1)")], hostname: "pod-\(index)",
                ports: [EndpointPort(name: "http", port: 80)])
        }
        let cluster = Cluster(
            namespaces: ["dev"],
            services: [ClusterService(namespace: "dev", name: "big", isHeadless: true, endpoints: endpoints)])
        return RecordSnapshot.build(cluster, options: referenceOptions)
    }()

    @Test func largeAnswerIsTruncatedOverUDPAndWholeOverTCP() throws {
        let udp = try #require(ask("big.dev.svc.cluster.local.", .a, snapshot: Self.bigSnapshot))
        #expect(udp.tc)
        #expect(udp.answer.isEmpty, "an RRset that does not fit is left out whole (RFC 2181 §9)")
        let withEDNS = try #require(
            exchange(
                QueryBuilder.query(name("big.dev.svc.cluster.local."), .a, payloadSize: 4096), snapshot: Self.bigSnapshot))
        #expect(withEDNS.message.tc)
        #expect(withEDNS.bytes.count <= 1232)
        let tcp = try #require(ask("big.dev.svc.cluster.local.", .a, over: .tcp, snapshot: Self.bigSnapshot))
        #expect(!tcp.tc)
        #expect(tcp.answer.count == 100)
    }

    @Test func droppingOnlyAdditionalRecordsIsNotTruncation() throws {
        // 100 SRV records fit in TCP only; check a mid-size case over EDNS: the SRV RRset fits,
        // the addresses of its targets do not, and TC stays clear.
        let endpoints = (1...20).map { index in
            ClusterEndpoint(
                addresses: [ip("10.244.1.\(index)")], hostname: "member-\(index)",
                ports: [EndpointPort(name: "http", port: 80)])
        }
        let cluster = Cluster(
            namespaces: ["dev"],
            services: [ClusterService(namespace: "dev", name: "mid", isHeadless: true, endpoints: endpoints)])
        let snapshot = RecordSnapshot.build(cluster, options: referenceOptions)
        let (reply, bytes) = try #require(
            exchange(
                QueryBuilder.query(name("_http._tcp.mid.dev.svc.cluster.local."), .srv, payloadSize: 1232),
                snapshot: snapshot))
        #expect(!reply.tc)
        #expect(reply.answer.count == 20)
        #expect(reply.additional.count < 20)
        #expect(bytes.count <= 1232)
    }

    @Test func payloadSizesBelow512CountAs512() throws {
        let (reply, bytes) = try #require(
            exchange(QueryBuilder.query(name("_pg._tcp.db.dev.svc.cluster.local."), .srv, payloadSize: 100)))
        #expect(!reply.tc)
        #expect(bytes.count > 100)
    }

    // MARK: flags

    @Test func recursionDesiredIsCopiedAndRecursionAvailableFollowsTheSettings() throws {
        let noRD = QueryBuilder.query(name("web.dev.svc.cluster.local."), .a, flags: 0)
        let reply = try #require(exchange(noRD))
        #expect(!reply.message.rd && !reply.message.ra && reply.message.aa)
        let withRA = try #require(
            exchange(
                QueryBuilder.query(name("web.dev.svc.cluster.local."), .a),
                settings: ResponderSettings(recursionAvailable: true)))
        #expect(withRA.message.rd && withRA.message.ra)
    }

    @Test func checkingDisabledIsCopied() throws {
        let reply = try #require(exchange(QueryBuilder.query(name("web.dev.svc.cluster.local."), .a, flags: 0x0110)))
        #expect(reply.message.cd)
    }
}

@Suite("edns-tcp-keepalive (RFC 7828)")
struct KeepaliveTests {
    private let keepalive: [UInt8] = [0x00, 0x0B, 0x00, 0x00]

    @Test func overTCPTheReplySaysOurIdleTimeout() throws {
        let query = QueryBuilder.query(name("web.dev.svc.cluster.local."), .a, payloadSize: 1232, options: keepalive)
        let settings = ResponderSettings(tcpIdleTimeoutUnits: 100)
        let (reply, bytes) = try #require(exchange(query, over: .tcp, settings: settings))
        #expect(reply.answer.count == 1)
        #expect(Array(bytes.suffix(6)) == [0x00, 0x0B, 0x00, 0x02, 0x00, 0x64])
    }

    @Test func overUDPTheOptionIsIgnored() throws {
        let query = QueryBuilder.query(name("web.dev.svc.cluster.local."), .a, payloadSize: 1232, options: keepalive)
        let (_, bytes) = try #require(exchange(query))
        #expect(Array(bytes.suffix(11)) == [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0])
    }

    @Test func aTimeoutInTheQueryIsFormatError() throws {
        let query = QueryBuilder.query(
            name("web.dev.svc.cluster.local."), .a, payloadSize: 1232, options: [0x00, 0x0B, 0x00, 0x02, 0x00, 0x10])
        let (reply, _) = try #require(exchange(query, over: .tcp))
        #expect(reply.rcode == 1)
    }
}
