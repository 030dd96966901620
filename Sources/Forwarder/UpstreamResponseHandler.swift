import NIOCore

/// Receives replies on one attempt's UDP socket (connected to its upstream, so nothing from
/// anyone else arrives) and hands them to the forwarder; a socket error such as ICMP port
/// unreachable fails that attempt, and no other.
final class UpstreamResponseHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let forwarder: Forwarder
    private let attempt: Forwarder.Attempt

    init(forwarder: Forwarder, attempt: Forwarder.Attempt) {
        self.forwarder = forwarder
        self.attempt = attempt
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        self.forwarder.receive(Array(envelope.data.readableBytesView), for: self.attempt)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.forwarder.attemptFailed(self.attempt)
    }
}
