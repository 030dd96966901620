#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Receives replies on one attempt's UDP socket (connected to its upstream, so nothing from
/// anyone else arrives) and hands them to the forwarder. An ICMP error about the upstream fails
/// that attempt, and no other; a passing socket error (no memory for one read) does not.
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
        if Self.meansUnreachable(error) {
            self.forwarder.attemptFailed(self.attempt)
        } else {
            // The socket is still open and the reply may still come: the fetch's deadline
            // bounds the wait, as it would for a lost datagram.
            self.forwarder.attemptHadSocketError(self.attempt, error)
        }
    }

    /// A socket closed under a live attempt (a fatal socket error) cannot receive its reply.
    func channelInactive(context: ChannelHandlerContext) {
        self.forwarder.attemptFailed(self.attempt, blamingUpstream: false)
        context.fireChannelInactive()
    }

    /// Whether `error` is how the kernel reports an ICMP destination unreachable on a connected
    /// UDP socket (RFC 1122 §4.1.3.3: UDP passes ICMP errors up to the application).
    static func meansUnreachable(_ error: any Error) -> Bool {
        guard let error = error as? IOError else { return false }
        switch error.errnoCode {
        case ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENETDOWN: return true
        default: return false
        }
    }
}
