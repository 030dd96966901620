import DNSWire
import NIOCore
import NIOEmbedded
import QueryEngine
import LDNSTestSupport
import Testing

@testable import DNSServer

/// Holds the answers a TCP handler writes, as a client that does not read would: their write
/// promises complete only when released.
private final class HeldWrites: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var held: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    var released: [UInt8] = []

    /// The answers held: a flush also writes an empty marker that carries the promise for the
    /// answers before it.
    var heldAnswers: Int { self.held.filter { $0.0.readableBytes > 0 }.count }
    var reads = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.held.append((Self.unwrapOutboundIn(data), promise))
    }

    func read(context: ChannelHandlerContext) {
        self.reads += 1
        context.read()
    }

    /// Lets every held answer reach the client.
    func release() {
        let held = self.held
        self.held = []
        for (buffer, promise) in held {
            self.released += Array(buffer.readableBytesView)
            promise?.succeed(())
        }
    }
}

@Suite("TCP: in-flight limit, reading paused while the client does not read, half-close")
struct TCPBackpressureTests {
    private func channel(maximumInFlight: Int) throws -> (EmbeddedChannel, HeldWrites) {
        try self.channel(tcp: TCPSettings(maximumInFlight: maximumInFlight))
    }

    private func channel(tcp: TCPSettings) throws -> (EmbeddedChannel, HeldWrites) {
        let channel = EmbeddedChannel()
        let writes = HeldWrites()
        try channel.pipeline.syncOperations.addHandler(writes)
        try channel.pipeline.syncOperations.addHandler(
            TCPQueryHandler(
                store: SnapshotStore(testSnapshot()), pipeline: QueryPipeline(settings: ResponderSettings()),
                tcp: tcp, registry: TCPConnectionRegistry(maximum: 10)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        return (channel, writes)
    }

    private func pipelined(_ count: Int) -> ByteBuffer {
        ByteBuffer(bytes: (0..<count).flatMap { frame(webQuery(id: UInt16($0))) })
    }

    @Test func atMostTheLimitIsInFlightAndTheRestIsAnsweredAsAnswersLeave() throws {
        let (channel, writes) = try channel(maximumInFlight: 100)
        try channel.writeInbound(self.pipelined(250))
        #expect(writes.heldAnswers == 100)
        // At the limit, the next read is held back.
        let readsBefore = writes.reads
        channel.read()
        #expect(writes.reads == readsBefore)
        var rounds = 0
        while !writes.held.isEmpty, rounds < 10 {
            writes.release()
            channel.embeddedEventLoop.run()
            #expect(writes.heldAnswers <= 100)
            rounds += 1
        }
        let ids = frames(writes.released).compactMap { LDNSDecodedMessage.decode($0)?.id }
        #expect(ids == (0..<250).map { UInt16($0) })
        // Below the limit again: the held read went on.
        #expect(writes.reads > readsBefore)
        #expect(channel.isActive)
    }

    @Test func readingPausesWhileTheChannelIsNotWritable() throws {
        let (channel, writes) = try channel(maximumInFlight: 100)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        let readsBefore = writes.reads
        channel.read()
        #expect(writes.reads == readsBefore)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(writes.reads == readsBefore + 1)
    }

    @Test func afterTheClientShutsItsSideEveryQueryIsAnsweredThenTheConnectionCloses() throws {
        let (channel, writes) = try channel(maximumInFlight: 2)
        try channel.writeInbound(self.pipelined(5))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(channel.isActive)
        var rounds = 0
        while channel.isActive, rounds < 10 {
            writes.release()
            channel.embeddedEventLoop.run()
            rounds += 1
        }
        #expect(!channel.isActive)
        #expect(frames(writes.released).compactMap { LDNSDecodedMessage.decode($0)?.id } == [0, 1, 2, 3, 4])
    }

    @Test func aClientThatNeverReadsIsClosedAfterTheIdleTimeout() throws {
        let (channel, writes) = try channel(tcp: TCPSettings(idleTimeout: .seconds(10), maximumInFlight: 2))
        try channel.writeInbound(self.pipelined(5))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        // An answer leaving is progress: the clock starts again.
        writes.release()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }
}
