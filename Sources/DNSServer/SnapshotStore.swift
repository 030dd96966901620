import Synchronization
import ZoneCompiler

/// The snapshot being served. One writer publishes whole new snapshots; every query reads the
/// current one once, so it sees either the old state or the new, never a mix.
package final class SnapshotStore: Sendable {
    private let state: Mutex<RecordSnapshot>

    package init(_ initial: RecordSnapshot) {
        self.state = Mutex(initial)
    }

    /// The snapshot to answer from (a reference-counted copy: cheap).
    package var current: RecordSnapshot { self.state.withLock { $0 } }

    /// Replaces the served snapshot in one step. The old one is released after the lock, so
    /// that freeing it never holds up a query.
    package func publish(_ next: RecordSnapshot) {
        let previous = self.state.withLock { state -> RecordSnapshot in
            defer { state = next }
            return state
        }
        _ = consume previous
    }
}
