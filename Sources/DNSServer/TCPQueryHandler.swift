import Forwarder
import Logging
import NIOCore
import NIOPosix
import QueryEngine
import ZoneCompiler

/// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): two-byte length-prefixed messages, pipelined and
/// answered in the order they complete (RFC 7766 §7), split anywhere across reads. A connection
/// on which nothing moves, or that takes too long to finish a message it started, is closed; so
/// is one whose framing breaks. Errors end this connection only.
///
/// What one connection may hold is bounded (RFC 7766 §10): at most `maximumInFlight` queries
/// whose answers have not yet been written to the socket, and nothing read while the client
/// leaves its answers unread (the channel is not writable). Reading resumes as answers leave,
/// so a client that pipelines without reading stops itself, through TCP flow control, instead
/// of growing our memory. Each answer's buffer is the size of the answer.
///
/// A client that shuts down its sending side still gets every answer to what it sent, forwarded
/// ones included, before the connection closes (RFC 7766 §6.2.3, §7).
package final class TCPQueryHandler: ChannelDuplexHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    private let store: SnapshotStore
    private let pipeline: QueryPipeline
    private let tcp: TCPSettings
    private let registry: TCPConnectionRegistry
    private let limits: LimitCounters?

    /// Received bytes not yet taken as messages: the start of one, or whole ones left while the
    /// connection is at its in-flight limit.
    private var pending: ByteBuffer?
    /// Queries taken off the stream whose answers have not yet been written to the socket.
    private var inFlight = 0
    /// Of those, answers handed to the channel since the last flush: one promise, on a marker
    /// written after them at the flush, tells when they are all on the socket (writes complete
    /// in order), instead of a promise and a future per answer.
    private var unconfirmed = 0
    /// The client's address, read once: every query's metrics, log and rate limit name it.
    private var peer: SocketAddress?
    /// Of those, the ones waiting for the forwarder.
    private var awaitingForwarder = 0
    /// A read was asked for and held back: at the in-flight limit, or the client not reading.
    private var readHeld = false
    /// The client shut down its sending side: answer what it sent, then close.
    private var inputClosed = false
    private var resumeScheduled = false
    /// When bytes last came in or an answer last left.
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var idleTimer: Scheduled<Void>?
    private var messageTimer: Scheduled<Void>?
    /// This handler's context while it is in the pipeline, for answers that come back later
    /// from the forwarder.
    private var context: ChannelHandlerContext?

    package init(
        store: SnapshotStore, pipeline: QueryPipeline, tcp: TCPSettings, registry: TCPConnectionRegistry,
        limits: LimitCounters? = nil
    ) {
        self.store = store
        self.pipeline = pipeline
        self.tcp = tcp
        self.registry = registry
        self.limits = limits
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    package func channelActive(context: ChannelHandlerContext) {
        self.peer = context.remoteAddress
        self.registry.register(context.channel)
        self.lastActivity = context.eventLoop.now
        self.armIdleTimer(context: context, in: self.tcp.idleTimeout)
        context.fireChannelActive()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        self.messageTimer?.cancel()
        self.pending = nil
        self.registry.remove(context.channel)
        context.fireChannelInactive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = Self.unwrapInboundIn(data)
        if self.pending == nil {
            self.pending = incoming
        } else {
            self.pending?.writeBuffer(&incoming)
        }
        self.lastActivity = context.eventLoop.now
        self.takeMessages(context: context)
    }

    package func channelReadComplete(context: ChannelHandlerContext) {
        self.flushAnswers(context: context)
    }

    // MARK: reading only while answers leave

    /// The read NIO asks for after each read: passed on only below the in-flight limit and while
    /// the client takes its answers (NIO's `BackPressureHandler` does the second alone).
    package func read(context: ChannelHandlerContext) {
        if self.inFlight >= self.tcp.maximumInFlight {
            self.holdReads(context: context, because: .tcpInFlight)
        } else if !context.channel.isWritable {
            self.holdReads(context: context, because: .tcpUnwritable)
        } else {
            context.read()
        }
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.resumeReads(context: context)
        } else {
            self.flushAnswers(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func holdReads(context: ChannelHandlerContext, because limit: LimitCounters.Limit) {
        guard !self.readHeld else { return }
        self.readHeld = true
        // The message in progress cannot advance while we do not read: the idle timeout (no
        // answer leaving) is what ends a client that never reads, not the message timeout.
        self.messageTimer?.cancel()
        self.messageTimer = nil
        self.limits?.reached(limit, metadata: ["client": "\(self.peer.map { "\($0)" } ?? "-")"])
    }

    private func resumeReads(context: ChannelHandlerContext) {
        guard self.readHeld, self.inFlight < self.tcp.maximumInFlight, context.channel.isWritable else { return }
        self.readHeld = false
        self.updateTimers(context: context, answered: false)
        context.read()
    }

    /// Answers were written to the socket (or failed to be, the connection closing).
    private func answersLeft(_ count: Int = 1, context: ChannelHandlerContext) {
        self.inFlight -= count
        self.lastActivity = context.eventLoop.now
        guard self.readHeld || self.inputClosed || self.hasWholeMessage else { return }
        // Continue outside the write's completion, which may run inside a flush.
        guard !self.resumeScheduled else { return }
        self.resumeScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.resumeScheduled = false
            guard context.channel.isActive else { return }
            self.takeMessages(context: context)
            self.flushAnswers(context: context)
            self.resumeReads(context: context)
        }
    }

    // MARK: messages

    /// Whether `pending` starts with a whole message (left there at the in-flight limit).
    private var hasWholeMessage: Bool {
        guard let pending = self.pending, let length = pending.getInteger(at: pending.readerIndex, as: UInt16.self)
        else { return false }
        return pending.readableBytes >= 2 + Int(length)
    }

    /// Answers the whole messages in `pending`, as many as the in-flight limit allows.
    private func takeMessages(context: ChannelHandlerContext) {
        var answered = false
        if var buffer = self.pending {
            self.pending = nil  // one owner while messages are sliced off
            while self.inFlight < self.tcp.maximumInFlight,
                let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
                buffer.readableBytes >= 2 + Int(length)
            {
                buffer.moveReaderIndex(forwardBy: 2)
                guard let message = buffer.readSlice(length: Int(length)) else { break }
                self.answer(message, context: context)
                answered = true
            }
            if buffer.readableBytes > 0 {
                buffer.discardReadBytes()
                self.pending = buffer
            }
        }
        self.updateTimers(context: context, answered: answered)
        self.registry.touch(context.channel, busy: self.pending != nil)
        self.closeIfFinished(context: context)
    }

    /// After the client shut down its side: close once every answer has been written.
    private func closeIfFinished(context: ChannelHandlerContext) {
        guard self.inputClosed, self.inFlight == 0, !self.hasWholeMessage else { return }
        context.close(promise: nil)
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client is done sending (RFC 7766 §6.2.3): what it sent is still answered, and
            // the connection closes after the last answer is written.
            self.inputClosed = true
            self.takeMessages(context: context)
            self.flushAnswers(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func answer(_ message: ByteBuffer, context: ChannelHandlerContext) {
        let started = NIODeadline.now()
        let snapshot = self.store.current
        let allocator = context.channel.allocator
        var next = QueryPipeline.Next.drop
        var frame: ByteBuffer?
        self.inFlight += 1
        // Answered into this thread's scratch memory, then copied into a buffer the size of the
        // answer: a buffer of the largest message per query, kept while the client is slow to
        // read, is what made a non-reading client cost 64 KiB a query.
        let scratch = TCPScratch.current
        next = message.withUnsafeReadableBytes { input in
            self.pipeline.handle(
                input, over: .tcp, from: .address(self.peer), using: snapshot, started: started,
                into: scratch.bytes, deliver: { self.forwardedSend(context) })
        }
        if case .send(let length) = next {
            var buffer = allocator.buffer(capacity: length + 2)
            buffer.writeInteger(UInt16(length))
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch.bytes[0..<length]))
            frame = buffer
        }
        switch next {
        case .drop:
            self.answersLeft(context: context)
        case .send:
            if let frame { self.writeAnswer(frame, context: context) } else { self.answersLeft(context: context) }
        case .pending:
            // Answered out of order when it comes, matched by ID (RFC 7766 §7).
            break
        case .transfer(let zone, let id, let question):
            // The zone is read back and packed off the event loop: at L it is hundreds of
            // thousands of records. It comes from the snapshot this query read, whatever is
            // published meanwhile, in messages of at most 16 KB.
            self.awaitingForwarder += 1
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) { () -> [[UInt8]] in
                guard let records = snapshot.zone(number: zone) else { return [] }
                return ZoneTransfer.messages(of: records, id: id, question: question)
            }.whenComplete { result in
                let frames = ((try? result.get()) ?? []).map { bytes in
                    var frame = allocator.buffer(capacity: bytes.count + 2)
                    frame.writeInteger(UInt16(bytes.count))
                    frame.writeBytes(bytes)
                    return frame
                }
                handler.value.transferReady(frames)
            }
        }
    }

    /// Where the forwarder's answer goes: back onto this connection's event loop, in flight until written.
    private func forwardedSend(_ context: ChannelHandlerContext) -> @Sendable ([UInt8]) -> Void {
        self.awaitingForwarder += 1
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let allocator = context.channel.allocator
        return { bytes in
            var frame = allocator.buffer(capacity: bytes.count + 2)
            frame.writeInteger(UInt16(bytes.count))
            frame.writeBytes(bytes)
            eventLoop.execute { [frame] in handler.value.forwardedAnswerArrived(frame) }
        }
    }

    /// A zone transfer's messages, packed off the loop (none: the zone went, the connection closes).
    private func transferReady(_ frames: [ByteBuffer]) {
        self.awaitingForwarder -= 1
        guard let context = self.context, context.channel.isActive else {
            self.inFlight -= 1
            return
        }
        guard let last = frames.last else {
            self.answersLeft(context: context)
            return
        }
        for frame in frames.dropLast() { context.write(Self.wrapOutboundOut(frame), promise: nil) }
        self.writeAnswer(last, context: context)
        self.flushAnswers(context: context)
    }

    private func forwardedAnswerArrived(_ frame: ByteBuffer) {
        self.awaitingForwarder -= 1
        guard let context = self.context, context.channel.isActive else {
            self.inFlight -= 1
            return
        }
        self.writeAnswer(frame, context: context)
        self.flushAnswers(context: context)
    }

    /// Writes an answer (the last frame of one); it stays in flight until it is on the socket.
    private func writeAnswer(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        context.write(Self.wrapOutboundOut(frame), promise: nil)
        self.unconfirmed += 1
    }

    /// Flushes, with a promise on an empty marker after the answers written since the last
    /// flush: when it completes, they are all on the socket (or failed, the connection closing).
    private func flushAnswers(context: ChannelHandlerContext) {
        if self.unconfirmed > 0 {
            let count = self.unconfirmed
            self.unconfirmed = 0
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenComplete { _ in self.answersLeft(count, context: context) }
            context.write(Self.wrapOutboundOut(Self.marker), promise: written)
        }
        context.flush()
    }

    /// Nothing to send: it only marks a place in the order of writes.
    private static let marker = ByteBuffer()

    // MARK: timers

    /// A message that has started must arrive whole within the message timeout, however slowly
    /// its bytes come; a completed message restarts that clock for the next. Not while reads are
    /// held: then the message cannot advance, and the idle timeout applies.
    private func updateTimers(context: ChannelHandlerContext, answered: Bool) {
        if self.pending != nil, !self.hasWholeMessage, !self.readHeld, !self.inputClosed {
            if self.messageTimer == nil || answered { self.armMessageTimer(context: context) }
        } else {
            self.messageTimer?.cancel()
            self.messageTimer = nil
        }
    }

    /// The idle timer is armed once and re-checks on firing: a connection is idle when nothing
    /// moved (no bytes in, no answer out) for the idle timeout (RFC 7766 §6.2.3), and not while
    /// an answer is still owed by the forwarder, which always answers within its own timeout.
    private func armIdleTimer(context: ChannelHandlerContext, in delay: TimeAmount) {
        self.idleTimer?.cancel()
        self.idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            let quiet = context.eventLoop.now - self.lastActivity
            if self.awaitingForwarder > 0 && context.channel.isWritable {
                self.armIdleTimer(context: context, in: self.tcp.idleTimeout)
            } else if quiet < self.tcp.idleTimeout {
                self.armIdleTimer(context: context, in: self.tcp.idleTimeout - quiet)
            } else {
                context.close(promise: nil)
            }
        }
    }

    private func armMessageTimer(context: ChannelHandlerContext) {
        self.messageTimer?.cancel()
        let channel = context.channel
        self.messageTimer = context.eventLoop.scheduleTask(in: self.tcp.messageTimeout) { channel.close(promise: nil) }
    }
}
