import Synchronization

/// When each resource was last heard from (a list, or any watch event, bookmarks included): the
/// age `/metrics` reports, by which an operator sees a stalled watch.
final class SourceActivity: Sendable {
    private let lastHeard = Mutex<[APIResource: ContinuousClock.Instant]>([:])

    func heard(_ resource: APIResource) {
        self.lastHeard.withLock { $0[resource] = .now }
    }

    /// Seconds since each resource was last heard from; resources never heard from are absent.
    var ages: [APIResource: Double] {
        let now = ContinuousClock.now
        return self.lastHeard.withLock { heard in
            heard.mapValues { instant in
                let (seconds, attoseconds) = (now - instant).components
                return Double(seconds) + Double(attoseconds) / 1e18
            }
        }
    }
}
