import Forwarder
import NIOCore
import QueryEngine
import ZoneCompiler

/// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): two-byte length-prefixed messages, pipelined and
/// answered in the order they complete, split anywhere across reads. A connection that stays
/// idle, or that takes too long to finish a message it started, is closed; so is one whose
/// framing breaks. Errors end this connection only.
final class TCPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let store: SnapshotStore
    private let settings: ResponderSettings
    private let tcp: TCPSettings
    private let transfers: TransferPolicy
    private let registry: TCPConnectionRegistry
    private let forwarding: ForwardingPath?
    private let recorder: QueryRecorder
    private var pending: ByteBuffer?
    private var idleTimer: Scheduled<Void>?
    private var messageTimer: Scheduled<Void>?

    init(
        store: SnapshotStore, settings: ResponderSettings, tcp: TCPSettings, transfers: TransferPolicy,
        registry: TCPConnectionRegistry, forwarding: ForwardingPath? = nil, recorder: QueryRecorder = .none
    ) {
        self.forwarding = forwarding
        self.recorder = recorder
        self.store = store
        self.settings = settings
        self.tcp = tcp
        self.transfers = transfers
        self.registry = registry
    }

    func channelActive(context: ChannelHandlerContext) {
        self.registry.register(context.channel)
        self.armIdleTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        self.messageTimer?.cancel()
        self.registry.remove(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = Self.unwrapInboundIn(data)
        if self.pending == nil {
            self.pending = incoming
        } else {
            self.pending?.writeBuffer(&incoming)
        }
        guard var buffer = self.pending else { return }
        var answered = false
        while let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
            buffer.readableBytes >= 2 + Int(length)
        {
            buffer.moveReaderIndex(forwardBy: 2)
            guard let message = buffer.readSlice(length: Int(length)) else { break }
            self.answer(message, context: context)
            answered = true
        }
        if buffer.readableBytes == 0 {
            self.pending = nil
            self.messageTimer?.cancel()
            self.messageTimer = nil
            self.armIdleTimer(context: context)
        } else {
            buffer.discardReadBytes()
            self.pending = buffer
            // A message has started: it must be complete within the message timeout, however
            // slowly its bytes arrive. A completed message restarts the clock for the next.
            if self.messageTimer == nil || answered { self.armMessageTimer(context: context) }
            self.idleTimer?.cancel()
        }
        self.registry.touch(context.channel, busy: self.pending != nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client is done sending; what was answered is flushed, then the connection ends.
            let channel = context.channel
            context.writeAndFlush(Self.wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                channel.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func answer(_ message: ByteBuffer, context: ChannelHandlerContext) {
        let started = NIODeadline.now()
        let requestSize = message.readableBytes
        let peer = context.remoteAddress
        let recorder = self.recorder
        let snapshot = self.store.current
        let capacity = QueryResponder.maximumMessageSize
        var output = context.channel.allocator.buffer(capacity: capacity + 2)
        output.writeInteger(UInt16(0))
        var outcome = QueryOutcome.drop
        _ = message.withUnsafeReadableBytes { input in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { buffer in
                outcome = QueryResponder.respond(to: input, over: .tcp, using: snapshot, settings: self.settings, into: buffer)
                switch outcome {
                case .reply(let length), .outOfZone(refusedLength: let length, request: _),
                    .chase(length: let length, target: _, request: _):
                    return length
                case .drop, .zoneTransfer: return 0
                }
            }
        }
        let channel = context.channel
        let send: @Sendable ([UInt8]) -> Void = { bytes in
            var frame = channel.allocator.buffer(capacity: bytes.count + 2)
            frame.writeInteger(UInt16(bytes.count))
            frame.writeBytes(bytes)
            recorder.record(
                reply: ByteBuffer(bytes: bytes), requestSize: requestSize, peer: peer, tcp: true, plugin: .forward,
                started: started)
            channel.writeAndFlush(frame, promise: nil)
        }
        switch outcome {
        case .drop:
            recorder.record(reply: nil, requestSize: requestSize, peer: peer, tcp: true, plugin: .none, started: started)
            return
        case .outOfZone(_, let request) where self.forwarding != nil:
            // Answered out of order when it comes, matched by ID (RFC 7766 §7).
            self.forwarding?.answer(request, from: ClientPrefix(peer), send: send)
        case .chase(_, let target, let request) where self.forwarding != nil:
            let reply = Array(output.readableBytesView.dropFirst(2))
            self.forwarding?.chase(request, target: target, cnameReply: reply, from: ClientPrefix(peer), send: send)
        case .reply(let length), .outOfZone(refusedLength: let length, request: _),
            .chase(length: let length, target: _, request: _):
            output.setInteger(UInt16(length), at: 0)
            let reply = output.getSlice(at: 2, length: length) ?? ByteBuffer()
            recorder.record(
                reply: reply, requestSize: requestSize, peer: peer, tcp: true,
                plugin: QueryObservation.isAuthoritative(reply) ? .kubernetes : .none, started: started)
            context.write(Self.wrapOutboundOut(output), promise: nil)
        case .zoneTransfer(let zoneIndex, let id, let question, _):
            // Zone numbers are the answer table's; the records are made from the cluster, by apex.
            guard self.transfers.allows(context.remoteAddress),
                let zone = snapshot.zone(named: snapshot.table.zones[zoneIndex].name)
            else {
                self.writeRefused(message, context: context)
                return
            }
            for bytes in ZoneTransfer.messages(of: zone, id: id, question: question) {
                var frame = context.channel.allocator.buffer(capacity: bytes.count + 2)
                frame.writeInteger(UInt16(bytes.count))
                frame.writeBytes(bytes)
                context.write(Self.wrapOutboundOut(frame), promise: nil)
            }
        }
    }

    /// REFUSED for a transfer this client may not make: header and question of the query.
    private func writeRefused(_ message: ByteBuffer, context: ChannelHandlerContext) {
        var query = message
        guard var bytes = query.readBytes(length: query.readableBytes), bytes.count >= 12 else { return }
        bytes[2] = 0x80 | (bytes[2] & 0x79)  // QR, opcode and RD kept
        bytes[3] = 0x05  // REFUSED
        bytes[6] = 0
        bytes[7] = 0
        bytes[8] = 0
        bytes[9] = 0
        bytes[10] = 0
        bytes[11] = 0
        // Keep only the question: the name, QTYPE and QCLASS.
        var end = 12
        while end < bytes.count, bytes[end] != 0 { end += 1 + Int(bytes[end]) }
        end = min(end + 5, bytes.count)
        var frame = context.channel.allocator.buffer(capacity: end + 2)
        frame.writeInteger(UInt16(end))
        frame.writeBytes(bytes[0..<end])
        context.write(Self.wrapOutboundOut(frame), promise: nil)
    }

    private func armIdleTimer(context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        let channel = context.channel
        self.idleTimer = context.eventLoop.scheduleTask(in: self.tcp.idleTimeout) { channel.close(promise: nil) }
    }

    private func armMessageTimer(context: ChannelHandlerContext) {
        self.messageTimer?.cancel()
        let channel = context.channel
        self.messageTimer = context.eventLoop.scheduleTask(in: self.tcp.messageTimeout) { channel.close(promise: nil) }
    }
}
