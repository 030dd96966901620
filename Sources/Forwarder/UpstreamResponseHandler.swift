import NIOCore

/// Receives replies on one upstream's UDP socket (connected to that upstream, so nothing from
/// anyone else arrives) and hands them to the forwarder; socket errors such as ICMP port
/// unreachable mark the upstream as failing.
final class UpstreamResponseHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let forwarder: Forwarder
    private let upstream: Int

    init(forwarder: Forwarder, upstream: Int) {
        self.forwarder = forwarder
        self.upstream = upstream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        self.forwarder.receive(Array(envelope.data.readableBytesView), from: self.upstream)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.forwarder.upstreamFailed(self.upstream)
    }
}
