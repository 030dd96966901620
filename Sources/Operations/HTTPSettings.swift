import NIOCore

/// Limits of the operations HTTP listener. Its connections share the process's descriptors with
/// DNS over TCP and manifest reads, so they are capped and idle ones closed, as web servers do.
package struct HTTPSettings: Sendable, Hashable {
    /// A connection with no complete request for this long (since it opened or since its last
    /// response) is closed.
    package var idleTimeout: TimeAmount
    /// Most connections open at once; past it the oldest connection idle between requests is
    /// closed, or, with none idle, no more are accepted until one closes. The listen backlog is
    /// as deep, so a burst of up to twice this many connects waits in the kernel instead of
    /// having SYNs dropped (which clients retry only after a second).
    package var maximumConnections: Int

    package init(idleTimeout: TimeAmount = .seconds(30), maximumConnections: Int = 256) {
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
    }
}
