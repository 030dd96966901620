import Atomics
import Logging
import NIOCore

/// How often each protective limit was reached, for `/metrics`, and a warning in the log at most
/// once per interval per limit (with the count since the last warning), so that a client that
/// keeps hitting a limit cannot flood the log as well.
package final class LimitCounters: Sendable {
    /// The limits, each with its flag, so that an operator reading the log knows what to tune.
    package enum Limit: Int, CaseIterable, Sendable {
        /// A TCP connection had `--tcp-max-in-flight` queries unanswered; reading it paused.
        case tcpInFlight
        /// A TCP client did not read its answers fast enough; reading it paused.
        case tcpUnwritable
        /// `--max-tcp-connections` open; the oldest idle connection was closed.
        case tcpConnections
        /// A client went over `--response-rate-limit` (counted per listener, logged here).
        case responseRate
        /// `--http-max-connections` open; an idle HTTP connection was closed, or accepting paused.
        case httpConnections
        /// An HTTP connection sent no request for `--http-idle-timeout`; it was closed.
        case httpIdle
        /// A workload was refused its pods by `--max-synthesized-pods` (counted at reloads).
        case synthesizedPods

        /// The `limit` label in `/metrics`: the flag that sets it, as the resolver's limits are named.
        package var label: String {
            switch self {
            case .tcpInFlight: "tcp-max-in-flight"
            case .tcpUnwritable: "tcp-unwritable"
            case .tcpConnections: "max-tcp-connections"
            case .responseRate: "response-rate-limit"
            case .httpConnections: "http-max-connections"
            case .httpIdle: "http-idle-timeout"
            case .synthesizedPods: "max-synthesized-pods"
            }
        }

        /// The flag that sets it.
        package var flag: String {
            switch self {
            case .tcpInFlight: "--tcp-max-in-flight"
            case .tcpUnwritable: "--tcp-max-in-flight"
            case .tcpConnections: "--max-tcp-connections"
            case .responseRate: "--response-rate-limit"
            case .httpConnections: "--http-max-connections"
            case .httpIdle: "--http-idle-timeout"
            case .synthesizedPods: "--max-synthesized-pods"
            }
        }
    }

    private let counts: [ManagedAtomic<Int>]
    /// Per limit: when it was last logged (uptime nanoseconds), and how often it was reached since.
    private let lastLogged: [ManagedAtomic<Int64>]
    private let sinceLogged: [ManagedAtomic<Int>]
    private let logger: Logger?
    private let interval: Int64

    /// `logger` nil: counted, never logged (tests). At most one warning per limit per `interval`.
    package init(logger: Logger? = nil, interval: TimeAmount = .seconds(10)) {
        self.counts = Limit.allCases.map { _ in ManagedAtomic(0) }
        self.lastLogged = Limit.allCases.map { _ in ManagedAtomic(Int64.min / 2) }
        self.sinceLogged = Limit.allCases.map { _ in ManagedAtomic(0) }
        self.logger = logger
        self.interval = interval.nanoseconds
    }

    /// The limit was reached once more: counted, and logged unless it was logged lately.
    package func reached(_ limit: Limit, metadata: @autoclosure () -> Logger.Metadata = [:]) {
        self.counts[limit.rawValue].wrappingIncrement(ordering: .relaxed)
        self.log(limit, metadata: metadata())
    }

    /// Logs that `limit` was reached `times` more (counted elsewhere), unless logged lately. The
    /// last-logged time is read on every call and written once per interval, so a hot path
    /// (response rate limiting) shares no written cache line between threads.
    package func log(
        _ limit: Limit, times: Int = 1, now: NIODeadline = .now(), metadata: @autoclosure () -> Logger.Metadata = [:]
    ) {
        guard let logger = self.logger else { return }
        let since = self.sinceLogged[limit.rawValue].wrappingIncrementThenLoad(by: times, ordering: .relaxed)
        let nanoseconds = Int64(now.uptimeNanoseconds)
        let last = self.lastLogged[limit.rawValue].load(ordering: .relaxed)
        guard nanoseconds - last >= self.interval,
            self.lastLogged[limit.rawValue].compareExchange(expected: last, desired: nanoseconds, ordering: .relaxed)
                .exchanged
        else { return }
        self.sinceLogged[limit.rawValue].wrappingDecrement(by: since, ordering: .relaxed)
        var fields = metadata()
        fields["limit"] = "\(limit.label)"
        fields["flag"] = "\(limit.flag)"
        fields["times"] = "\(since)"
        logger.warning("limit reached", metadata: fields)
    }

    /// How often `limit` was reached (counted here).
    package func count(_ limit: Limit) -> Int {
        self.counts[limit.rawValue].load(ordering: .relaxed)
    }
}
