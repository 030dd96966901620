import NIOCore
import QueryEngine
import ZoneCompiler

/// Answers DNS over UDP through NIO (`--udp-engine nio`): one datagram in, at most one out, to
/// the same peer, through the one query path (`QueryPipeline`). One bad datagram never closes
/// the socket.
final class UDPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let store: SnapshotStore
    private let pipeline: QueryPipeline
    private let capacity: Int

    init(store: SnapshotStore, pipeline: QueryPipeline) {
        self.store = store
        self.pipeline = pipeline
        self.capacity = QueryResponder.outputCapacity(for: .udp, settings: pipeline.settings)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let started = NIODeadline.now()
        let envelope = Self.unwrapInboundIn(data)
        let snapshot = self.store.current
        let remote = envelope.remoteAddress
        let channel = context.channel
        var output = channel.allocator.buffer(capacity: self.capacity)
        _ = envelope.data.withUnsafeReadableBytes { input in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: self.capacity) { buffer in
                let next = self.pipeline.handle(
                    input, over: .udp, from: .address(remote), using: snapshot, started: started, into: buffer
                ) {
                    { bytes in
                        var reply = channel.allocator.buffer(capacity: bytes.count)
                        reply.writeBytes(bytes)
                        channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: reply), promise: nil)
                    }
                }
                guard case .send(let length) = next else { return 0 }
                return length
            }
        }
        guard output.readableBytes > 0 else { return }
        context.write(Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: remote, data: output)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors and the like surface here; the socket stays open for everyone else.
    }
}
