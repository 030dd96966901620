import NIOCore
import QueryEngine
import ZoneCompiler

/// Answers DNS over UDP: one datagram in, at most one out, to the same peer. One bad datagram
/// never closes the socket.
final class UDPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let store: SnapshotStore
    private let settings: ResponderSettings
    private let capacity: Int

    init(store: SnapshotStore, settings: ResponderSettings) {
        self.store = store
        self.settings = settings
        self.capacity = QueryResponder.outputCapacity(for: .udp, settings: settings)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        let snapshot = self.store.current
        var output = context.channel.allocator.buffer(capacity: self.capacity)
        var outcome = QueryOutcome.drop
        _ = envelope.data.withUnsafeReadableBytes { input in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: self.capacity) { buffer in
                outcome = QueryResponder.respond(to: input, over: .udp, using: snapshot, settings: self.settings, into: buffer)
                switch outcome {
                case .reply(let length), .outOfZone(let length): return length
                case .drop, .zoneTransfer: return 0
                }
            }
        }
        guard output.readableBytes > 0 else { return }
        context.write(
            Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: output)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors and the like surface here; the socket stays open for everyone else.
    }
}
