import Logging
import NIOCore

/// Logs events that can come by the thousand (a limit reached, a hostile reply) at most once per
/// `interval` per event, saying how many there were since the last line. Not thread-safe: it
/// lives on the forwarder's event loop.
struct RateLimitedLog {
    private var logger: Logger
    private let interval: TimeAmount
    private var lastLogged: [String: NIODeadline] = [:]
    private var unlogged: [String: Int] = [:]

    init(logger: Logger, interval: TimeAmount = .seconds(60)) {
        self.logger = logger
        self.interval = interval
    }

    /// One more `event` (a flag or repair name); logs under `message` when the last line for it
    /// is older than the interval.
    mutating func note(
        _ message: Logger.Message, event: String, level: Logger.Level = .warning, metadata: Logger.Metadata = [:],
        now: NIODeadline = .now()
    ) {
        self.unlogged[event, default: 0] += 1
        if let last = self.lastLogged[event], now - last < self.interval { return }
        self.lastLogged[event] = now
        var all = metadata
        all["event"] = "\(event)"
        all["count"] = "\(self.unlogged[event] ?? 1)"
        all["interval.s"] = "\(self.interval.nanoseconds / 1_000_000_000)"
        self.unlogged[event] = 0
        self.logger.log(level: level, message, metadata: all)
    }
}
