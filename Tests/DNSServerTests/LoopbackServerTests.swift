import DNSServer
import DNSWire
import NIOCore
import NIOPosix
import Testing
import LDNSTestSupport

@Suite("A real listener on loopback")
struct LoopbackServerTests {
    @Test func bindsPortZeroAndAnswersUDPAndTCP() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = SnapshotStore(testSnapshot())
        let listeners = try await DNSListeners.bind(
            DNSServerConfiguration(listen: [ListenAddress(host: "127.0.0.1", port: 0)]), store: store, group: group)
        let port = try #require(listeners.boundAddresses.first?.port)
        #expect(port > 0)

        // UDP
        let reply = try await UDPClient.exchange(webQuery(id: 99), host: "127.0.0.1", port: port, group: group)
        #expect(LDNSDecodedMessage.decode(reply)?.id == 99)

        await listeners.close()
        try await group.shutdownGracefully()
    }

    @Test func udpDropsGarbageAndKeepsServingFromTheAddressAsked() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let listeners = try await DNSListeners.bind(
            DNSServerConfiguration(listen: [ListenAddress(host: "127.0.0.1", port: 0)]), store: SnapshotStore(testSnapshot()),
            group: group)
        let port = try #require(listeners.boundAddresses.first?.port)
        // Garbage, a cut-off header, then two queries, from one socket (so one receiving socket
        // takes them all, in order): the replies are the queries' only, from the address and
        // port the client sent to.
        let replies = try await UDPClient.exchange(
            [[1, 2, 3], Array(webQuery(id: 7).prefix(5)), webQuery(id: 42), webQuery(id: 43)], until: 43, host: "127.0.0.1",
            port: port, group: group)
        let messages = replies.compactMap { LDNSDecodedMessage.decode($0.bytes) }
        #expect(messages.map(\.id) == [42, 43])
        #expect(replies.allSatisfy { $0.source == (try? SocketAddress(ipAddress: "127.0.0.1", port: port)) })
        #expect(messages.first?.answer == ["web.dev.svc.cluster.local. 5 A 10.96.0.5"])
        await listeners.close()
        try await group.shutdownGracefully()
    }

    @Test func aPortInUseIsOneClearError() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = SnapshotStore(testSnapshot())
        let first = try await DNSListeners.bind(
            DNSServerConfiguration(listen: [ListenAddress(host: "127.0.0.1", port: 0)]), store: store, group: group)
        let port = try #require(first.boundAddresses.first?.port)
        await #expect(throws: BindError.self) {
            _ = try await DNSListeners.bind(
                DNSServerConfiguration(listen: [ListenAddress(host: "127.0.0.1", port: port)]), store: store,
                group: group)
        }
        do {
            _ = try await DNSListeners.bind(
                DNSServerConfiguration(listen: [ListenAddress(host: "127.0.0.1", port: port)]), store: store, group: group)
        } catch let error as BindError {
            #expect(error.description == "cannot listen on tcp 127.0.0.1:\(port): the address is already in use")
        }
        await first.close()
        try await group.shutdownGracefully()
    }
}

/// Sends datagrams and waits for replies.
enum UDPClient {
    /// Sends `queries` in order from one socket and collects the replies until one has the ID
    /// `last` (so the last query should be one that is answered), for at most 5 seconds.
    static func exchange(
        _ queries: [[UInt8]], until last: UInt16, host: String, port: Int, group: any EventLoopGroup
    ) async throws -> [(source: SocketAddress, bytes: [UInt8])] {
        let channel = try await DatagramBootstrap(group: group)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let target = try SocketAddress(ipAddress: host, port: port)
        return try await channel.executeThenClose { inbound, outbound in
            for query in queries {
                try await outbound.write(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(bytes: query)))
            }
            return try await withThrowingTaskGroup(of: [(source: SocketAddress, bytes: [UInt8])].self) { tasks in
                tasks.addTask {
                    var replies: [(source: SocketAddress, bytes: [UInt8])] = []
                    for try await envelope in inbound {
                        let bytes = Array(envelope.data.readableBytesView)
                        replies.append((envelope.remoteAddress, bytes))
                        if bytes.count >= 2, UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == last { break }
                    }
                    return replies
                }
                tasks.addTask {
                    try await Task.sleep(for: .seconds(5))
                    return []
                }
                // The first to finish decides: the replies, or the 5 s bound (no replies).
                let first = try await tasks.next() ?? []
                tasks.cancelAll()
                return first
            }
        }
    }

    static func exchange(_ query: [UInt8], host: String, port: Int, group: any EventLoopGroup) async throws -> [UInt8] {
        let channel = try await DatagramBootstrap(group: group)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(
                AddressedEnvelope(remoteAddress: SocketAddress(ipAddress: host, port: port), data: ByteBuffer(bytes: query)))
            for try await envelope in inbound {
                return Array(envelope.data.readableBytesView)
            }
            return []
        }
    }
}
