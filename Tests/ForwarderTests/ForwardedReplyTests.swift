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
        let bytes = ForwardedReply.write(request(.udp), rcode: 0, answer: [txt(1)], settings: ResponderSettings(recursionAvailable: true))
        let message = try #require(LDNSDecodedMessage.decode(bytes))
        #expect(message.id == 77 && message.qr && message.ra && message.rd && !message.aa)
        #expect(message.question == ["WWW.Example.test. TXT"])
        #expect(message.answer.count == 1)
    }

    @Test func tooBigForUDPIsTruncatedAtAnRRsetBoundary() throws {
        let records = (0..<10).map(txt)
        let udp = try #require(
            LDNSDecodedMessage.decode(ForwardedReply.write(request(.udp), rcode: 0, answer: records, settings: ResponderSettings())))
        #expect(udp.tc && udp.answer.isEmpty)
        let tcp = try #require(
            LDNSDecodedMessage.decode(ForwardedReply.write(request(.tcp), rcode: 0, answer: records, settings: ResponderSettings())))
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
