import Forwarder
import Logging
import NIOCore
import QueryEngine
import ZoneCompiler

/// Answers DNS over UDP: one datagram in, at most one out, to the same peer. One bad datagram
/// never closes the socket. With a response rate limit, a client network over it gets every
/// second response truncated and the rest dropped (`ResponseRateLimiter`).
final class UDPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let store: SnapshotStore
    private let settings: ResponderSettings
    private let capacity: Int
    private let forwarding: ForwardingPath?
    private let recorder: QueryRecorder
    private let rateLimiter: ResponseRateLimiter?
    private let limits: LimitCounters?

    init(
        store: SnapshotStore, settings: ResponderSettings, forwarding: ForwardingPath? = nil,
        recorder: QueryRecorder = .none, rateLimiter: ResponseRateLimiter? = nil, limits: LimitCounters? = nil
    ) {
        self.store = store
        self.settings = settings
        self.capacity = QueryResponder.outputCapacity(for: .udp, settings: settings)
        self.forwarding = forwarding
        self.recorder = recorder
        self.rateLimiter = rateLimiter
        self.limits = limits
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let started = NIODeadline.now()
        let envelope = Self.unwrapInboundIn(data)
        let requestSize = envelope.data.readableBytes
        let snapshot = self.store.current
        var output = context.channel.allocator.buffer(capacity: self.capacity)
        var outcome = QueryOutcome.drop
        let remote = envelope.remoteAddress
        _ = envelope.data.withUnsafeReadableBytes { input in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: self.capacity) { buffer in
                outcome = QueryResponder.respond(to: input, over: .udp, using: snapshot, settings: self.settings, into: buffer)
                if let rateLimiter = self.rateLimiter, outcome.isLimitable {
                    let decision = rateLimiter.decide(network: ResponseRateLimiter.network(of: remote), now: started)
                    if decision != .answer {
                        outcome = outcome.limited(decision, buffer, forwarding: self.forwarding != nil)
                        self.recorder.counters?.recordRateLimited(slipped: decision == .slip)
                        self.limits?.log(.responseRate, now: started, metadata: ["client": "\(remote.ipAddress ?? "-")"])
                    }
                }
                switch outcome {
                case .reply(let length), .outOfZone(refusedLength: let length, request: _),
                    .chase(length: let length, target: _, request: _):
                    return length
                case .drop, .zoneTransfer: return 0
                }
            }
        }
        let recorder = self.recorder
        if let forwarding = self.forwarding {
            let channel = context.channel
            let send: @Sendable ([UInt8]) -> Void = { bytes in
                var buffer = channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                recorder.record(
                    reply: buffer, requestSize: requestSize, peer: remote, tcp: false, plugin: .forward, started: started)
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
            }
            switch outcome {
            case .outOfZone(_, let request):
                forwarding.answer(request, from: ClientPrefix(remote), send: send)
                return
            case .chase(_, let target, let request):
                forwarding.chase(
                    request, target: target, cnameReply: Array(output.readableBytesView), from: ClientPrefix(remote), send: send)
                return
            default:
                break
            }
        }
        guard output.readableBytes > 0 else {
            recorder.record(reply: nil, requestSize: requestSize, peer: remote, tcp: false, plugin: .none, started: started)
            return
        }
        let plugin: QueryCounters.Plugin = QueryObservation.isAuthoritative(output) ? .kubernetes : .none
        recorder.record(reply: output, requestSize: requestSize, peer: remote, tcp: false, plugin: plugin, started: started)
        context.write(Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: remote, data: output)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors and the like surface here; the socket stays open for everyone else.
    }
}
