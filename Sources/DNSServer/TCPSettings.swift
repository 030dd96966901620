import NIOCore

/// Limits of the TCP transport (RFC 7766 §6.2.3: servers should close idle connections; §10:
/// they should bound the connections and the transactions per connection they accept).
package struct TCPSettings: Sendable, Hashable {
    /// A connection on which nothing moves (no bytes in, no answer out) is closed after this long.
    package var idleTimeout: TimeAmount
    /// A message that has started arriving must be complete within this long (slow-drip defence).
    package var messageTimeout: TimeAmount
    /// Most connections open at once; past it the oldest idle connection is closed.
    package var maximumConnections: Int
    /// Most queries a connection may have unanswered (received, but the answer not yet written
    /// to the socket); at the limit the connection is not read until answers leave.
    package var maximumInFlight: Int

    package init(
        idleTimeout: TimeAmount = .seconds(10), messageTimeout: TimeAmount = .seconds(3),
        maximumConnections: Int = 1000, maximumInFlight: Int = 100
    ) {
        self.idleTimeout = idleTimeout
        self.messageTimeout = messageTimeout
        self.maximumConnections = maximumConnections
        self.maximumInFlight = maximumInFlight
    }
}
