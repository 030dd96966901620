import DNSServer
import Logging
import NIOCore
import NIOHTTP1

/// Keeps one HTTP connection within the listener's limits: registered under the connection cap,
/// which may close it when it is idle between requests or has sent no request for a second
/// (`TCPConnectionRegistry.Policy.closeIdleOnly`), and closed when no complete request arrives
/// within the idle timeout — counted from the connection's start or its last response, so a
/// request dribbled in slowly does not keep it open either. When the cap is reached and no
/// connection may be closed, the listener stops accepting for a moment: further connects wait
/// in the listen backlog, which is as deep as the cap.
final class HTTPConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: TCPConnectionRegistry
    private let idleTimeout: TimeAmount
    private let limits: LimitCounters?
    private var idleTimer: Scheduled<Void>?

    init(registry: TCPConnectionRegistry, idleTimeout: TimeAmount, limits: LimitCounters?) {
        self.registry = registry
        self.idleTimeout = idleTimeout
        self.limits = limits
    }

    func channelActive(context: ChannelHandlerContext) {
        if !self.registry.register(context.channel) { self.stopAccepting(context: context) }
        self.armIdleTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        self.idleTimer = nil
        if self.registry.remove(context.channel) { self.updateAccepting(context: context) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head:
            self.registry.touch(context.channel, busy: true)
        case .end:
            // A whole request: it is answered now, and the idle clock starts again after.
            self.idleTimer?.cancel()
            self.idleTimer = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = Self.unwrapOutboundIn(data) {
            if self.registry.touch(context.channel, busy: false) { self.updateAccepting(context: context) }
            self.armIdleTimer(context: context)
        }
        context.write(data, promise: promise)
    }

    /// Stops or resumes accepting as the registry is full or not, decided on the listener's own
    /// event loop so that a pause and a resume from different connections cannot land out of order.
    private func updateAccepting(context: ChannelHandlerContext) {
        guard let listener = context.channel.parent else { return }
        let registry = self.registry
        listener.eventLoop.execute {
            listener.setOption(.autoRead, value: !registry.isFull).whenComplete { _ in }
        }
    }

    /// The registry is full: stop accepting, and try again once the connections it protected
    /// (opened too recently to close) have had their grace.
    private func stopAccepting(context: ChannelHandlerContext) {
        self.updateAccepting(context: context)
        guard let listener = context.channel.parent else { return }
        let registry = self.registry
        listener.eventLoop.scheduleTask(in: registry.grace) {
            registry.retry()
            listener.setOption(.autoRead, value: !registry.isFull).whenComplete { _ in }
        }
    }

    private func armIdleTimer(context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        let channel = context.channel
        let limits = self.limits
        self.idleTimer = context.eventLoop.scheduleTask(in: self.idleTimeout) {
            limits?.reached(.httpIdle, metadata: ["client": "\(channel.remoteAddress.map { "\($0)" } ?? "-")"])
            channel.close(promise: nil)
        }
    }
}
