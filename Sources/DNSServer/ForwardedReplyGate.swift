import Synchronization

/// The door every forwarded answer goes through on its way to a client socket. It counts the
/// answers still owed, so shutdown can wait for them, and once closed it lets none through: the
/// forwarder answers from its own threads whenever an upstream replies, and a write after the
/// listeners closed their sockets would go to a closed descriptor, or to whatever file or socket
/// has since been given its number.
final class ForwardedReplyGate: Sendable {
    private struct State {
        var open = true
        var outstanding = 0
        var dropped = 0
    }

    private let state = Mutex(State())

    /// Counts one more answer owed, and wraps the `send` that delivers it. The send runs inside
    /// the lock, so closing waits for one under way; sends are non-blocking (a `sendto` with
    /// MSG_DONTWAIT, or a write handed to an event loop).
    func admit(_ send: @escaping @Sendable ([UInt8]) -> Void) -> @Sendable ([UInt8]) -> Void {
        self.state.withLock { $0.outstanding += 1 }
        return { bytes in
            self.state.withLock { state in
                state.outstanding -= 1
                if state.open {
                    send(bytes)
                } else {
                    state.dropped += 1
                }
            }
        }
    }

    /// Answers owed and not yet sent.
    var outstanding: Int { self.state.withLock { $0.outstanding } }

    /// Answers that came after `close` and were not sent.
    var dropped: Int { self.state.withLock { $0.dropped } }

    /// No forwarded answer is written after this returns.
    func close() {
        self.state.withLock { $0.open = false }
    }
}
