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

/// Sends one datagram and waits for one back.
enum UDPClient {
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
