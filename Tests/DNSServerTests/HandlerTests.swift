import DNSServer
import DNSWire
import Manifests
import NIOCore
import NIOEmbedded
import QueryEngine
import Testing

@testable import DNSServer
import IPAddressing
import LDNSTestSupport

@Suite("TCP handler on embedded channels")
struct HandlerTests {
    private func tcpChannel(
        tcp: TCPSettings = TCPSettings(), registry: TCPConnectionRegistry = TCPConnectionRegistry(maximum: 10),
        peer: String = "127.0.0.1", transfers: TransferPolicy = TransferPolicy()
    ) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            TCPQueryHandler(
                store: SnapshotStore(testSnapshot()),
                pipeline: QueryPipeline(settings: ResponderSettings(), transfers: transfers), tcp: tcp, registry: registry))
        try channel.connect(to: SocketAddress(ipAddress: peer, port: 40000)).wait()
        return channel
    }

    private func readAll(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        return bytes
    }

    @Test func tcpFrameSplitAcrossReads() throws {
        let channel = try tcpChannel()
        let bytes = frame(webQuery(id: 7))
        try channel.writeInbound(ByteBuffer(bytes: bytes[0..<1]))
        try channel.writeInbound(ByteBuffer(bytes: bytes[1..<20]))
        #expect(try readAll(channel).isEmpty)
        try channel.writeInbound(ByteBuffer(bytes: bytes[20...]))
        let replies = frames(try readAll(channel))
        #expect(replies.count == 1)
        #expect(LDNSDecodedMessage.decode(replies[0])?.id == 7)
    }

    @Test func tcpPipelinedFramesAreAnsweredInOrder() throws {
        let channel = try tcpChannel()
        let bytes = (1...5).flatMap { frame(webQuery(id: UInt16($0))) }
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        let replies = frames(try readAll(channel))
        #expect(replies.compactMap { LDNSDecodedMessage.decode($0)?.id } == [1, 2, 3, 4, 5])
    }

    @Test func tcpZeroLengthFrameIsIgnored() throws {
        let channel = try tcpChannel()
        try channel.writeInbound(ByteBuffer(bytes: [0, 0] + frame(webQuery(id: 9))))
        #expect(frames(try readAll(channel)).compactMap { LDNSDecodedMessage.decode($0)?.id } == [9])
    }

    @Test func tcpIdleConnectionIsClosed() throws {
        let channel = try tcpChannel(tcp: TCPSettings(idleTimeout: .seconds(10), messageTimeout: .seconds(3)))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func tcpSlowDripIsCutOffAfterTheMessageTimeout() throws {
        let channel = try tcpChannel(tcp: TCPSettings(idleTimeout: .seconds(10), messageTimeout: .seconds(3)))
        let bytes = frame(webQuery())
        for index in 0..<14 {
            guard channel.isActive else { break }
            try channel.writeInbound(ByteBuffer(bytes: [bytes[index]]))
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        }
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(300))
        #expect(!channel.isActive)
    }

    /// Refused unless `--transfer-allow` names the client, loopback included (NSD, Knot and
    /// CoreDNS refuse transfers unless configured).
    @Test(arguments: ["192.0.2.1", "127.0.0.1"])
    func tcpTransferToAClientNotAllowedIsRefused(peer: String) throws {
        let channel = try tcpChannel(peer: peer, transfers: TransferPolicy(allowed: [IPNetwork("10.0.0.0/8")!]))
        let query = QueryBuilder.query(DomainName("cluster.local.")!, .axfr)
        try channel.writeInbound(ByteBuffer(bytes: frame(query)))
        let replies = frames(try readAll(channel))
        #expect(replies.count == 1)
        #expect(LDNSDecodedMessage.decode(replies[0])?.rcode == 5)
    }

    // A transfer to an allowed client is read back and packed on a thread pool, off the event
    // loop, which an embedded channel cannot stand in for: ServeEndToEndTests transfers zones
    // from the running server.

    @Test func connectionCapClosesTheOldestIdleConnection() throws {
        let registry = TCPConnectionRegistry(maximum: 2)
        let first = try tcpChannel(registry: registry)
        let second = try tcpChannel(registry: registry)
        // The second has a message in progress: busy, so not the one to go.
        try second.writeInbound(ByteBuffer(bytes: [0, 40, 1]))
        let third = try tcpChannel(registry: registry)
        #expect(!first.isActive)
        #expect(second.isActive && third.isActive)
    }
}
