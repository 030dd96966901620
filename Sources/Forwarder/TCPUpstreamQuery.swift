import NIOCore
import NIOPosix

/// One query over TCP (after a truncated UDP answer): connect, send the framed query, read one
/// framed reply, close. Fails at `deadline`.
enum TCPUpstreamQuery {
    static func run(
        _ query: [UInt8], to address: SocketAddress, on eventLoop: any EventLoop, deadline: NIODeadline
    ) -> EventLoopFuture<[UInt8]> {
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let timeout = eventLoop.scheduleTask(deadline: deadline) {
            promise.fail(ChannelError.connectTimeout(.zero))
        }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(max(1, (deadline - .now()).nanoseconds)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FrameReader(promise: promise))
                }
            }
            .connect(to: address)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    var frame = channel.allocator.buffer(capacity: query.count + 2)
                    frame.writeInteger(UInt16(query.count))
                    frame.writeBytes(query)
                    channel.writeAndFlush(frame, promise: nil)
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                case .failure(let error):
                    promise.fail(error)
                }
            }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        return promise.futureResult
    }

    /// Collects bytes until one length-prefixed message is complete.
    private final class FrameReader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let promise: EventLoopPromise<[UInt8]>
        private var buffer = ByteBuffer()

        init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = Self.unwrapInboundIn(data)
            self.buffer.writeBuffer(&incoming)
            guard let length = self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt16.self),
                self.buffer.readableBytes >= 2 + Int(length),
                let bytes = self.buffer.getBytes(at: self.buffer.readerIndex + 2, length: Int(length))
            else { return }
            self.promise.succeed(bytes)
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.promise.fail(ChannelError.eof)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            self.promise.fail(error)
            context.close(promise: nil)
        }
    }
}
