import DNSWire
import Forwarder
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A tiny UDP responder on loopback for forwarder tests: counts questions (and keeps the source
/// port and spelling of each) and answers each with one A record after `delay`; optionally sends
/// a forged reply (wrong ID, or wrong question) first, echoes the question in lower case, never
/// answers names starting with "silent", and answers names starting with "held" only once
/// `release()` is called.
final class CountingResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let queries = Mutex(0)
    /// (source port, question name as received) of every query.
    let seen = Mutex<[(port: Int, name: DomainName)]>([])
    let delay: TimeAmount
    let forgeFirst: Bool
    let refuse: Bool
    let lowercaseEcho: Bool
    /// Replies to "held" names, sent by `release()`; nil once released.
    private let held = Mutex<[@Sendable () -> Void]?>([])

    init(delay: TimeAmount, forgeFirst: Bool = false, refuse: Bool = false, lowercaseEcho: Bool = false) {
        self.delay = delay
        self.forgeFirst = forgeFirst
        self.refuse = refuse
        self.lowercaseEcho = lowercaseEcho
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        self.queries.withLock { $0 += 1 }
        guard let query = try? MessageParser.parse(Array(envelope.data.readableBytesView)), let question = query.question
        else { return }
        self.seen.withLock { $0.append((envelope.remoteAddress.port ?? 0, question.name)) }
        if question.name.description.lowercased().hasPrefix("silent") { return }
        let lowercaseEcho = self.lowercaseEcho
        func reply(id: UInt16, name: DomainName, address: [UInt8]) -> ByteBuffer {
            var bytes = QueryBuilder.query(lowercaseEcho ? name.lowercased : name, question.type, id: id, flags: 0x8180)
            bytes[7] = 1  // one answer
            // TTL 3600: the cache must outlive a test stalled on a busy machine.
            bytes += [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4] + address
            return ByteBuffer(bytes: bytes)
        }
        let channel = context.channel
        let remote = envelope.remoteAddress
        if self.forgeFirst {
            channel.writeAndFlush(
                AddressedEnvelope(remoteAddress: remote, data: reply(id: query.id &+ 1, name: question.name, address: [6, 6, 6, 6])),
                promise: nil)
            channel.writeAndFlush(
                AddressedEnvelope(
                    remoteAddress: remote, data: reply(id: query.id, name: DomainName("evil.example.")!, address: [6, 6, 6, 7])),
                promise: nil)
        }
        let good: ByteBuffer
        if self.refuse {
            good = ByteBuffer(bytes: QueryBuilder.query(question.name, question.type, id: query.id, flags: 0x8185))
        } else {
            good = reply(id: query.id, name: question.name, address: [192, 0, 2, 1])
        }
        let send: @Sendable () -> Void = {
            channel.eventLoop.scheduleTask(in: self.delay) {
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: good), promise: nil)
            }
        }
        if question.name.description.lowercased().hasPrefix("held") {
            let later = self.held.withLock { held -> Bool in
                guard held != nil else { return false }
                held?.append(send)
                return true
            }
            if later { return }
        }
        send()
    }

    /// Answers the "held" questions received so far, and those to come at once.
    func release() {
        for send in self.held.withLock({ held in defer { held = nil }; return held ?? [] }) { send() }
    }
}

@Suite("Forwarder: shared fetches, forged replies")
struct ForwarderBehaviourTests {
    static func withResponder(
        _ responder: CountingResponder, configure: (inout ForwarderConfiguration) -> Void = { _ in },
        _ body: (Forwarder, SocketAddress) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(responder) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let address = try #require(channel.localAddress)
        var configuration = ForwarderConfiguration(upstreams: [address])
        configure(&configuration)
        let forwarder = try await Forwarder.start(configuration, group: group)
        try await body(forwarder, address)
        await forwarder.stop()
        try await channel.close()
        try await group.shutdownGracefully()
    }

    @Test func concurrentIdenticalMissesShareOneUpstreamQuery() async throws {
        let responder = CountingResponder(delay: .milliseconds(100))
        try await Self.withResponder(responder) { forwarder, _ in
            let question = ForwardQuestion(name: DomainName("www.example.test.")!, type: .a)
            let futures = (0..<10).map { _ in forwarder.resolve(question) }
            for future in futures {
                let answer = try await future.get()
                #expect(answer.answer.records.first?.rdata == [192, 0, 2, 1])
            }
            #expect(responder.queries.withLock { $0 } == 1)
            // Then it comes from the cache.
            let cached = try await forwarder.resolve(question).get()
            #expect(cached.fromCache)
            #expect(responder.queries.withLock { $0 } == 1)
            let statistics = try await forwarder.statistics().get()
            #expect(statistics.cacheHits == 1)
            #expect(statistics.upstreams.first?.requests == 1)
        }
    }

    @Test func anUpstreamThatRefusesStaysHealthy() async throws {
        let responder = CountingResponder(delay: .milliseconds(1), refuse: true)
        try await Self.withResponder(responder) { forwarder, _ in
            let answer = try await forwarder.resolve(ForwardQuestion(name: DomainName("www.example.test.")!, type: .a)).get()
            #expect(answer.rcode == 5, "the only upstream's REFUSED is passed on")
            let statistics = try await forwarder.statistics().get()
            let upstream = try #require(statistics.upstreams.first)
            #expect(upstream.healthy, "it answered, so it is reachable")
            #expect(upstream.errors == 1)
            #expect(upstream.responses["REFUSED"] == 1)
            #expect(statistics.cacheEntries == 0, "REFUSED is not cached")
        }
    }

    @Test func forgedRepliesAreIgnored() async throws {
        let responder = CountingResponder(delay: .milliseconds(20), forgeFirst: true)
        try await Self.withResponder(responder) { forwarder, _ in
            let answer = try await forwarder.resolve(ForwardQuestion(name: DomainName("www.example.test.")!, type: .a)).get()
            #expect(answer.answer.records.map(\.rdata) == [[192, 0, 2, 1]])
        }
    }
}
