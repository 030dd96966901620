import Synchronization

/// Every listener's counters, for the metrics endpoint; created once per socket (a lock is
/// taken then, never per query).
package final class QueryMetrics: Sendable {
    private let all = Mutex<[QueryCounters]>([])

    package init() {}

    /// Counters for a new listener at `server` (`dns://ADDR:PORT`).
    package func makeCounters(server: String) -> QueryCounters {
        let counters = QueryCounters(server: server)
        self.all.withLock { $0.append(counters) }
        return counters
    }

    package var counters: [QueryCounters] { self.all.withLock { $0 } }
}
