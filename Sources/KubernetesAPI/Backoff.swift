/// Delays between failed attempts: from 0.2 s, doubling, capped at 5 s, each with ±20 % jitter
/// so that replicas restarted together do not hammer a recovering API server in step.
package struct Backoff: Sendable {
    package static let first: Duration = .milliseconds(200)
    package static let cap: Duration = .seconds(5)
    private var next: Duration = Self.first

    package init() {}

    /// The delay before the next attempt; a server's Retry-After wins when longer.
    package mutating func delay(retryAfter: Duration? = nil) -> Duration {
        let base = self.next
        self.next = min(base * 2, Self.cap)
        let jittered = base * Double.random(in: 0.8...1.2)
        let capped = min(jittered, Self.cap)
        if let retryAfter, retryAfter > capped { return retryAfter }
        return capped
    }

    package mutating func reset() { self.next = Self.first }
}
