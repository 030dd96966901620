import Atomics
import ZoneCompiler

/// The snapshot being served. One writer publishes whole new snapshots; every query reads the
/// current one once, so it sees either the old state or the new, never a mix. Reading is one
/// atomic load of one reference (one retain, no lock): the query path never waits for a publish.
package final class SnapshotStore: Sendable {
    private let state: ManagedAtomic<RecordSnapshot>

    package init(_ initial: RecordSnapshot) {
        self.state = ManagedAtomic(initial)
    }

    /// The snapshot to answer from.
    package var current: RecordSnapshot { self.state.load(ordering: .acquiring) }

    /// Replaces the served snapshot in one step; the old one is freed by whoever lets go of it
    /// last, never under a lock a query waits for.
    package func publish(_ next: RecordSnapshot) {
        self.state.store(next, ordering: .releasing)
    }
}

extension RecordSnapshot: AtomicReference {}
