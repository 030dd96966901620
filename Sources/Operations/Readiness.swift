import Synchronization

/// What `/ready` reports: not ready until the first snapshot is published and every listener is
/// bound; not ready again once shutdown begins (so load balancers stop sending). A later reload
/// that fails does not make it unready — the last good snapshot is still served — but it is said,
/// by file and line only: the diagnostic itself, which may quote the file, goes to the log.
package final class Readiness: Sendable {
    private struct State {
        var initialLoadDone = false
        var listenersBound = false
        var shuttingDown = false
        var reloadFailedAt: String?
        /// What the first load still waits for, when a source says (the API resources not yet listed).
        var pendingSource: String?
    }

    private let state = Mutex(State())

    package init() {}

    package func initialLoadFinished() { self.state.withLock { $0.initialLoadDone = true } }
    /// What the first load waits for, in words (`/ready` says it until the load is done).
    package func initialLoadWaiting(for description: String) { self.state.withLock { $0.pendingSource = description } }
    package func listenersAreBound() { self.state.withLock { $0.listenersBound = true } }
    package func shutdownBegan() { self.state.withLock { $0.shuttingDown = true } }

    /// Where the last reload failed (`file:line`), or nil when it went well.
    package func reloadResult(failedAt location: String?) { self.state.withLock { $0.reloadFailedAt = location } }

    /// Ready or not, and the body that says why.
    package var status: (ready: Bool, body: String) {
        self.state.withLock { state in
            if state.shuttingDown { return (false, "shutting down\n") }
            var missing: [String] = []
            if !state.initialLoadDone { missing.append(state.pendingSource ?? "initial manifest load not finished") }
            if !state.listenersBound { missing.append("no listener bound") }
            if !missing.isEmpty { return (false, missing.joined(separator: "\n") + "\n") }
            if let location = state.reloadFailedAt {
                return (true, "OK (serving the last good snapshot; the last reload failed at \(location); see the log)")
            }
            return (true, "OK")
        }
    }
}
