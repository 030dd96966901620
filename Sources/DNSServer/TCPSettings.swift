import NIOCore

/// Limits of the TCP transport (RFC 7766 §6.2.3: servers should close idle connections and
/// bound their resources).
package struct TCPSettings: Sendable, Hashable {
    /// A connection with no message in progress is closed after this long.
    package var idleTimeout: TimeAmount
    /// A message that has started arriving must be complete within this long (slow-drip defence).
    package var messageTimeout: TimeAmount
    /// Most connections open at once; past it the oldest idle connection is closed.
    package var maximumConnections: Int

    package init(
        idleTimeout: TimeAmount = .seconds(10), messageTimeout: TimeAmount = .seconds(3), maximumConnections: Int = 1000
    ) {
        self.idleTimeout = idleTimeout
        self.messageTimeout = messageTimeout
        self.maximumConnections = maximumConnections
    }
}
