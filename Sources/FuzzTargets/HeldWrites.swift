import NIOCore

/// The client end of a fuzzed TCP connection that reads only when told: writes wait, their
/// promises pending, until `release`. It counts the answers waiting (the non-empty writes: this
/// target's connections are refused transfers, so each answer is one frame; the empty writes
/// mark flushes and carry the promise for the answers before them), which the in-flight limit
/// bounds.
final class HeldWrites: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var held: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private(set) var received: [UInt8] = []

    /// Answers written and not yet taken by the client.
    var answersWaiting: Int { self.held.filter { $0.0.readableBytes > 0 }.count }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.held.append((Self.unwrapOutboundIn(data), promise))
    }

    /// The client reads everything written so far.
    func release() {
        let held = self.held
        self.held = []
        for (buffer, promise) in held {
            self.received += buffer.readableBytesView
            promise?.succeed(())
        }
    }
}
