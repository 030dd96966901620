import DNSWire
import QueryEngine
import LDNSTestSupport
import Testing

/// The truncated reply a rate-limited client gets on a slip: header and question, TC, no
/// records, the OPT kept.
@Suite("Response rate limiting: the slipped reply")
struct RateLimitSlipTests {
    private func slipped(_ query: [UInt8], outOfZone: Bool = false) throws -> (full: [UInt8], slipped: [UInt8]) {
        let full = try #require(QueryResponder.reply(to: query, over: .udp, using: referenceSnapshot)).bytes
        var bytes = full + [UInt8](repeating: 0xEE, count: 16)
        let length = bytes.withUnsafeMutableBytes { QueryResponder.slip($0, length: full.count, outOfZone: outOfZone) }
        return (full, Array(bytes[0..<length]))
    }

    @Test func anAnswerBecomesTruncatedWithoutRecordsAndKeepsItsOPT() throws {
        let query = QueryBuilder.query(name("web.dev.svc.cluster.local."), .a, id: 77, payloadSize: 1232, dnssecOK: true)
        let (full, reply) = try slipped(query)
        let original = try #require(LDNSDecodedMessage.decode(full))
        #expect(!original.answer.isEmpty)
        let message = try #require(LDNSDecodedMessage.decode(reply))
        #expect(message.id == 77)
        #expect(message.tc && message.qr && message.aa)
        #expect(message.rcode == original.rcode)
        #expect(message.question == original.question)
        #expect(message.answer.isEmpty && message.authority.isEmpty && message.additional.isEmpty)
        #expect(message.edns?.payloadSize == 1232 && message.edns?.dnssecOK == true)
        // No larger than the query: nothing to amplify.
        #expect(reply.count <= query.count)
    }

    @Test func aNegativeAnswerLosesItsSOAButKeepsItsRcode() throws {
        let (_, reply) = try slipped(QueryBuilder.query(name("nothere.dev.svc.cluster.local."), .a))
        let message = try #require(LDNSDecodedMessage.decode(reply))
        #expect(message.rcode == 3 && message.tc)
        #expect(message.authority.isEmpty && message.edns == nil)
    }

    @Test func anOutOfZoneStandInBecomesNoError() throws {
        let (full, reply) = try slipped(QueryBuilder.query(name("www.example.test."), .a, payloadSize: 1232), outOfZone: true)
        #expect(LDNSDecodedMessage.decode(full)?.rcode == 5)
        let message = try #require(LDNSDecodedMessage.decode(reply))
        #expect(message.rcode == 0 && message.tc && message.edns != nil)
    }

    @Test func aFormatErrorWithoutAQuestionStaysAHeader() throws {
        let query: [UInt8] = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x61]
        let (full, reply) = try slipped(query)
        #expect(full.count == 12)
        #expect(reply.count == 12 && reply[2] & 0x02 != 0 && reply[3] & 0x0F == 1)
    }
}
