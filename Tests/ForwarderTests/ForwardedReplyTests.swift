import DNSWire
import QueryEngine
import Testing
import LDNSTestSupport

@Suite("Replies built from forwarded records")
struct ForwardedReplyTests {
    private func request(_ transport: Transport, edns: EDNSInfo? = nil) -> ClientRequest {
        let query = QueryBuilder.query(DomainName("WWW.Example.test.")!, .txt, id: 77)
        return ClientRequest(
            id: 77, flags: 0x0100, question: Array(query[12...]), name: DomainName("WWW.Example.test.")!, qtype: .txt,
            qclass: 1, edns: edns, transport: transport)
    }

    private func txt(_ index: Int) -> WireRecord {
        let text = Array(String(repeating: "x", count: 200).utf8) + [UInt8(0x30 + index)]
        return WireRecord(owner: DomainName("www.example.test.")!, type: .txt, ttl: 60, rdata: [UInt8(text.count)] + text)
    }

    @Test func recordsAreWrittenWithTheClientsQuestionAndRA() throws {
        let bytes = ForwardedReply.write(request(.udp), rcode: 0, answer: PackedRRsets([txt(1)]), settings: ResponderSettings(recursionAvailable: true))
        let message = try #require(LDNSDecodedMessage.decode(bytes))
        #expect(message.id == 77 && message.qr && message.ra && message.rd && !message.aa)
        #expect(message.question == ["WWW.Example.test. TXT"])
        #expect(message.answer.count == 1)
    }

    @Test func tooBigForUDPIsTruncatedAtAnRRsetBoundary() throws {
        let records = (0..<10).map(txt)
        let udp = try #require(
            LDNSDecodedMessage.decode(ForwardedReply.write(request(.udp), rcode: 0, answer: PackedRRsets(records), settings: ResponderSettings())))
        #expect(udp.tc && udp.answer.isEmpty)
        let tcp = try #require(
            LDNSDecodedMessage.decode(ForwardedReply.write(request(.tcp), rcode: 0, answer: PackedRRsets(records), settings: ResponderSettings())))
        #expect(!tcp.tc && tcp.answer.count == 10)
    }

    @Test func ednsQueryGetsAnOPTAndServerFailureKeepsTheQuestion() throws {
        let edns = EDNSInfo(payloadSize: 4096, version: 0, dnssecOK: true)
        let bytes = ForwardedReply.serverFailure(request(.udp, edns: edns), settings: ResponderSettings())
        let message = try #require(LDNSDecodedMessage.decode(bytes))
        #expect(message.rcode == 2)
        #expect(message.edns?.dnssecOK == true)
        #expect(message.question == ["WWW.Example.test. TXT"])
    }
}

@Suite("Forwarded replies: no AA, AD only when asked, linear in the records")
struct ForwardedReplyFlagsTests {
    private func request(flags: UInt16, edns: EDNSInfo?, transport: Transport = .udp) -> ClientRequest {
        let query = QueryBuilder.query(DomainName("www.example.test.")!, .a, id: 5, flags: flags)
        return ClientRequest(
            id: 5, flags: flags, question: Array(query[12...]), name: DomainName("www.example.test.")!, qtype: .a, qclass: 1,
            edns: edns, transport: transport)
    }

    private let answer = PackedRRsets([WireRecord(owner: DomainName("www.example.test.")!, type: .a, ttl: 60, rdata: [192, 0, 2, 1])])

    /// client AD, client DO, upstream AD → AD in the reply (RFC 6840 §5.8).
    @Test(arguments: [
        (false, false, true, false), (true, false, true, true), (false, true, true, true), (true, true, false, false),
    ])
    func authenticDataOnlyForClientsThatAsk(clientAD: Bool, clientDO: Bool, upstreamAD: Bool, expected: Bool) throws {
        let edns = clientDO ? EDNSInfo(payloadSize: 1232, version: 0, dnssecOK: true) : nil
        let bytes = ForwardedReply.write(
            request(flags: 0x0100 | (clientAD ? 0x0020 : 0), edns: edns), rcode: 0, authenticData: upstreamAD, answer: answer,
            settings: ResponderSettings(recursionAvailable: true))
        #expect((bytes[3] & 0x20 != 0) == expected)
        #expect(bytes[2] & 0x04 == 0, "never AA on data from upstream")
    }

    /// 3,003 RRsets of one record each, at as many names: the reply is written RRset by RRset in
    /// place. Copying the writer (its bytes and every name it had written) per RRset made this
    /// quadratic.
    static func manyRRsets(_ count: Int) -> PackedRRsets {
        PackedRRsets(
            (0..<count).map { index in
                WireRecord(owner: DomainName("n\(index).example.test.")!, type: .txt, ttl: 60, rdata: [1, 0x61])
            })
    }

    @Test func manyRRsetsAreWrittenInLinearTime() throws {
        let request = request(flags: 0x0100, edns: nil, transport: .tcp)
        func seconds(_ count: Int) -> Double {
            let records = Self.manyRRsets(count)
            var best = Double.infinity
            for _ in 0..<3 {
                let start = ContinuousClock.now
                _ = ForwardedReply.write(request, rcode: 0, answer: records, settings: ResponderSettings())
                let elapsed = ContinuousClock.now - start
                best = min(best, Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
            }
            return best
        }
        let small = seconds(750)
        let large = seconds(3003)
        // Four times the RRsets: about four times the time when linear, sixteen when quadratic.
        #expect(large / small < 8, "750 RRsets: \(small) s, 3003: \(large) s")
        let message = try #require(
            LDNSDecodedMessage.decode(ForwardedReply.write(request, rcode: 0, answer: Self.manyRRsets(3003), settings: ResponderSettings())))
        #expect(message.answer.count == 3003 && !message.tc)
    }

    @Test func aTruncatedReplyHasNoPointerIntoWhatWasTakenBack() throws {
        // Many owners, so the writer's suffix table is in use when the cut comes.
        let records = (0..<200).map { index in
            WireRecord(owner: DomainName("n\(index).www.example.test.")!, type: .txt, ttl: 60, rdata: [20] + Array(repeating: 0x61, count: 20))
        }
        let bytes = ForwardedReply.write(
            request(flags: 0x0100, edns: EDNSInfo(payloadSize: 1232, version: 0, dnssecOK: false)), rcode: 0,
            answer: PackedRRsets(records), settings: ResponderSettings())
        #expect(bytes.count <= 1232)
        let message = try #require(LDNSDecodedMessage.decode(bytes))
        #expect(message.tc && message.answer.count > 10 && message.answer.count < 200)
    }
}
