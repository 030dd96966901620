import NIOPosix
import QueryEngine

/// Room for the largest DNS message, one per event-loop thread: a TCP answer is written here and
/// copied into a buffer its own size. Each use ends before the thread runs anything else, so the
/// connections of one loop share it; allocating it per query cost a 64 KiB malloc and free each.
/// Unchecked: an instance is only ever used by the thread that made it.
final class TCPScratch: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer

    private init() {
        self.bytes = .allocate(byteCount: QueryResponder.maximumMessageSize, alignment: 8)
    }

    deinit { self.bytes.deallocate() }

    private static let perThread = ThreadSpecificVariable<TCPScratch>()

    /// The calling thread's scratch, made on first use.
    static var current: TCPScratch {
        if let scratch = Self.perThread.currentValue { return scratch }
        let scratch = TCPScratch()
        Self.perThread.currentValue = scratch
        return scratch
    }
}
