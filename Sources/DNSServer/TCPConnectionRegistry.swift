import Logging
import NIOCore
import Synchronization

/// The open TCP connections of all listeners, so that the cap on connections closes the oldest
/// idle one to make room, instead of refusing a new client.
package final class TCPConnectionRegistry: Sendable {
    private struct Entry {
        var channel: any Channel
        var lastActivity: NIODeadline
        var busy: Bool
    }

    private let maximum: Int
    private let limits: LimitCounters?
    private let limit: LimitCounters.Limit
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// At most `maximum` connections; each one closed to make room is counted under `limit`.
    package init(maximum: Int, limits: LimitCounters? = nil, limit: LimitCounters.Limit = .tcpConnections) {
        self.maximum = maximum
        self.limits = limits
        self.limit = limit
    }

    package var count: Int { self.entries.withLock { $0.count } }

    /// Adds a connection; when that makes more than the maximum, closes the one idle the longest
    /// (or, with none idle, the one quiet the longest).
    func register(_ channel: any Channel) {
        let victim: (any Channel)? = self.entries.withLock { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, lastActivity: .now(), busy: false)
            guard entries.count > self.maximum else { return nil }
            let candidates = entries.filter { $0.key != ObjectIdentifier(channel) }
            let idle = candidates.filter { !$0.value.busy }
            let pool = idle.isEmpty ? candidates : idle
            guard let oldest = pool.min(by: { $0.value.lastActivity < $1.value.lastActivity }) else { return nil }
            entries.removeValue(forKey: oldest.key)
            return oldest.value.channel
        }
        if let victim {
            self.limits?.reached(self.limit, metadata: ["closed": "\(victim.remoteAddress.map { "\($0)" } ?? "-")"])
            victim.close(promise: nil)
        }
    }

    /// Notes activity; `busy` while a message is partly received.
    func touch(_ channel: any Channel, busy: Bool) {
        self.entries.withLock { entries in
            entries[ObjectIdentifier(channel)]?.lastActivity = .now()
            entries[ObjectIdentifier(channel)]?.busy = busy
        }
    }

    func remove(_ channel: any Channel) {
        _ = self.entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Closes every connection (shutdown).
    package func closeAll() {
        let channels = self.entries.withLock { entries in entries.values.map(\.channel) }
        for channel in channels { channel.close(promise: nil) }
    }
}
