import Synchronization

/// Where event sources (inotify, the rescan timer, SIGHUP) drop changes, and where the reload
/// loop waits for them. Thread-safe; the loop is the only waiter.
package final class ChangeInbox: Sendable {
    private struct State {
        var batch = ChangeBatch()
        var firstEvent: ContinuousClock.Instant?
        var lastEvent: ContinuousClock.Instant?
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    package init() {}

    /// Adds changes; wakes the waiting loop.
    package func post(_ batch: ChangeBatch, at now: ContinuousClock.Instant = .now) {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.batch.merge(batch)
            if state.firstEvent == nil { state.firstEvent = now }
            state.lastEvent = now
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The first and last event times of what is pending.
    package var pendingTimes: (first: ContinuousClock.Instant?, last: ContinuousClock.Instant?) {
        self.state.withLock { ($0.firstEvent, $0.lastEvent) }
    }

    /// What is pending, left in place (the reload loop reads named files while it waits out the
    /// debounce window).
    package var pending: ChangeBatch {
        self.state.withLock { $0.batch }
    }

    /// Takes everything pending.
    package func drain() -> ChangeBatch {
        self.state.withLock { state in
            defer {
                state.batch = ChangeBatch()
                state.firstEvent = nil
                state.lastEvent = nil
            }
            return state.batch
        }
    }

    /// Returns when something is pending (at once if it already is), or when closed.
    package func waitForChanges() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = self.state.withLock { state -> Bool in
                if state.firstEvent != nil || state.closed { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Wakes the waiter for good (shutdown).
    package func close() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    package var isClosed: Bool { self.state.withLock { $0.closed } }
}
