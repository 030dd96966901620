/// When a burst of file events becomes one rebuild: `window` after the last event, but never
/// later than `maximumDelay` after the first, so a steady trickle still publishes. Pure: the
/// caller supplies the times.
package struct DebounceSchedule: Sendable, Hashable {
    /// The decision for now.
    package enum Decision: Sendable, Hashable {
        /// Nothing pending.
        case idle
        /// Rebuild now.
        case fire
        /// Sleep until this instant, then ask again.
        case wait(until: ContinuousClock.Instant)
    }

    package var window: Duration
    package var maximumDelay: Duration

    package init(window: Duration = .milliseconds(10), maximumDelay: Duration = .milliseconds(200)) {
        self.window = window
        self.maximumDelay = maximumDelay
    }

    package func decide(
        firstEvent: ContinuousClock.Instant?, lastEvent: ContinuousClock.Instant?, now: ContinuousClock.Instant
    ) -> Decision {
        guard let firstEvent, let lastEvent else { return .idle }
        let deadline = min(lastEvent + self.window, firstEvent + self.maximumDelay)
        return now >= deadline ? .fire : .wait(until: deadline)
    }
}
