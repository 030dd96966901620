import Logging
import NIOCore
import Synchronization

/// The open connections of a kind (DNS over TCP on every listener, or the HTTP endpoint) under
/// a cap. At the cap a new connection makes room by closing the one idle the longest, so that a
/// client holding many idle connections cannot lock out the next one. What may be closed depends
/// on the protocol (`Policy`).
package final class TCPConnectionRegistry: Sendable {
    /// Which connection the cap may close.
    package enum Policy: Sendable {
        /// DNS: the one idle the longest, or with none idle the one quiet the longest (RFC 7766
        /// §6.2.3 lets a server close any connection when it must).
        case closeQuietest
        /// HTTP: only one idle between requests, or silent (no whole request) since it opened at
        /// least `grace` ago; with none, the registry is full and its listener stops accepting
        /// until one closes or `grace` passes, as nginx reclaims only idle keep-alive
        /// connections. A burst of connects then waits in the listen backlog, never cut off.
        case closeIdleOnly(grace: TimeAmount)
    }

    private struct Entry {
        var channel: any Channel
        var lastActivity: NIODeadline
        var busy: Bool
        /// Not closed to make room before this (a connection just opened, its request on the way).
        var protectedUntil: NIODeadline
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        /// The registry said it was full (an HTTP listener stopped accepting).
        var full = false
    }

    private let maximum: Int
    private let policy: Policy
    private let limits: LimitCounters?
    private let limit: LimitCounters.Limit
    private let state = Mutex(State())

    /// Connections a full registry still takes (one accept batch) before it refuses new ones.
    private static let overflow = 16

    /// At most `maximum` connections; each time that is reached it is counted under `limit`.
    package init(
        maximum: Int, policy: Policy = .closeQuietest, limits: LimitCounters? = nil,
        limit: LimitCounters.Limit = .tcpConnections
    ) {
        self.maximum = maximum
        self.policy = policy
        self.limits = limits
        self.limit = limit
    }

    package var count: Int { self.state.withLock { $0.entries.count } }

    /// Whether the registry is full with nothing it may close: its listener should not accept.
    package var isFull: Bool { self.state.withLock { $0.full } }

    /// How long a new connection is protected, and a full registry waits before trying again.
    package var grace: TimeAmount {
        switch self.policy {
        case .closeQuietest: .zero
        case .closeIdleOnly(let grace): grace
        }
    }

    /// Adds a connection. Past the maximum, closes one the policy allows. Returns false when
    /// there was none: the registry is full (`isFull`), and the caller should stop accepting
    /// until `remove` or `touch` says there is room, or `grace` has passed (`retry`). A full
    /// registry refuses (closes) connections past a small overflow.
    @discardableResult
    package func register(_ channel: any Channel) -> Bool {
        let now = NIODeadline.now()
        let (atMaximum, victim, refused): (Bool, (any Channel)?, Bool) = self.state.withLock { state in
            let key = ObjectIdentifier(channel)
            state.entries[key] = Entry(
                channel: channel, lastActivity: now, busy: false, protectedUntil: now + self.grace)
            guard state.entries.count > self.maximum else { return (false, nil, false) }
            let candidates = state.entries.filter { $0.key != key }
            var pool = candidates.filter { !$0.value.busy && $0.value.protectedUntil <= now }
            if pool.isEmpty, case .closeQuietest = self.policy { pool = candidates }
            guard let oldest = pool.min(by: { $0.value.lastActivity < $1.value.lastActivity }) else {
                state.full = true
                guard state.entries.count > self.maximum + Self.overflow else { return (true, nil, false) }
                state.entries.removeValue(forKey: key)
                return (true, channel, true)
            }
            state.entries.removeValue(forKey: oldest.key)
            return (true, oldest.value.channel, false)
        }
        guard atMaximum else { return true }
        let closed =
            refused
            ? "the new connection"
            : victim.map { "\($0.remoteAddress.map { "\($0)" } ?? "-")" } ?? "none, not accepting for now"
        self.limits?.reached(self.limit, metadata: ["closed": "\(closed)"])
        victim?.close(promise: nil)
        return victim != nil && !refused
    }

    /// Notes activity; `busy` while a request is being received or answered. Returns true when
    /// the registry was full and this connection just became one it may close: the caller
    /// should accept again (the next connection takes its place).
    @discardableResult
    package func touch(_ channel: any Channel, busy: Bool) -> Bool {
        let now = NIODeadline.now()
        return self.state.withLock { state in
            guard var entry = state.entries[ObjectIdentifier(channel)] else { return false }
            entry.lastActivity = now
            entry.busy = busy
            if !busy { entry.protectedUntil = now }
            state.entries[ObjectIdentifier(channel)] = entry
            guard state.full, !busy else { return false }
            state.full = false
            return true
        }
    }

    /// Removes a closed connection. Returns true when the registry was full and now has room:
    /// the caller should accept again.
    @discardableResult
    package func remove(_ channel: any Channel) -> Bool {
        self.state.withLock { state in
            state.entries.removeValue(forKey: ObjectIdentifier(channel))
            guard state.full, state.entries.count < self.maximum else { return false }
            state.full = false
            return true
        }
    }

    /// After `grace` the connections protected when the registry filled up may be closed: it is
    /// no longer full, and the next connection accepted makes room (or fills it again).
    package func retry() {
        self.state.withLock { $0.full = false }
    }

    /// Closes every connection (shutdown).
    package func closeAll() {
        let channels = self.state.withLock { state in state.entries.values.map(\.channel) }
        for channel in channels { channel.close(promise: nil) }
    }
}
