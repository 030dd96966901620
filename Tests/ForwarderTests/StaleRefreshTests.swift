import DNSWire
import Forwarder
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// RFC 8767 §5: once a stale answer has been served because the upstream failed, the forwarder
/// keeps trying to refresh it in the background, so the name comes back fresh without a client
/// having to wait for the upstream again.
@Suite("The forwarder refreshes stale answers in the background")
struct StaleRefreshTests {
    /// Answers A 192.0.2.1 with TTL `ttl` while `answering`, and nothing otherwise.
    final class SwitchedResponder: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let answering = Atomic(true)
        let queries = Atomic(0)
        let ttl = Atomic<UInt32>(1)

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = Self.unwrapInboundIn(data)
            self.queries.add(1, ordering: .relaxed)
            guard self.answering.load(ordering: .relaxed),
                let query = try? MessageParser.parse(Array(envelope.data.readableBytesView)), let question = query.question
            else { return }
            var bytes = QueryBuilder.query(question.name, question.type, id: query.id, flags: 0x8180)
            bytes[7] = 1
            let ttl = self.ttl.load(ordering: .relaxed)
            bytes += [0xC0, 0x0C, 0, 1, 0, 1, UInt8(ttl >> 24), UInt8(ttl >> 16 & 0xFF), UInt8(ttl >> 8 & 0xFF), UInt8(ttl & 0xFF)]
            bytes += [0, 4, 192, 0, 2, 1]
            context.writeAndFlush(
                NIOAny(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: bytes))), promise: nil)
        }
    }

    /// Polls `condition` every 50 ms for at most `seconds`.
    static func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test func aStaleAnswerIsRefreshedWithoutAClientAsking() async throws {
        let responder = SwitchedResponder()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(responder) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        var configuration = ForwarderConfiguration(upstreams: [try #require(channel.localAddress)])
        configuration.timeout = .milliseconds(300)
        configuration.staleWindow = 600
        configuration.staleRefreshInterval = .milliseconds(300)
        let forwarder = try await Forwarder.start(configuration, group: group)
        let question = ForwardQuestion(name: DomainName("www.example.test.")!, type: .a)

        let fresh = try await forwarder.resolve(question).get()
        #expect(fresh.answer.records.first?.ttl == 1 && !fresh.isStale)
        // The upstream goes quiet; once the TTL is over, the answer is stale.
        responder.answering.store(false, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(1100))
        let stale = try await forwarder.resolve(question).get()
        #expect(stale.isStale && stale.answer.records.first?.ttl == 30)
        // The upstream comes back: the background refresh asks it, no client asking meanwhile.
        // (With a long TTL this time: the refreshed answer must outlive a busy test run.)
        let asked = responder.queries.load(ordering: .relaxed)
        responder.ttl.store(3600, ordering: .relaxed)
        responder.answering.store(true, ordering: .relaxed)
        #expect(await Self.eventually(5) { responder.queries.load(ordering: .relaxed) > asked })
        // Clients asking meanwhile get the stale answer at once (the failure recheck), and never
        // a fetch of their own; then the refreshed one, from the cache.
        #expect(
            try await Self.eventually(5) {
                let answer = try await forwarder.resolve(question).get()
                return !answer.isStale && answer.fromCache && answer.answer.records.first?.ttl ?? 0 > 30
            }, "fresh from the background refresh")
        let statistics = try await forwarder.statistics().get()
        #expect(statistics.cacheServedStale >= 1)

        await forwarder.stop()
        try await channel.close()
        try await group.shutdownGracefully()
    }
}
