/// Settings of the query path that do not come from the snapshot.
package struct ResponderSettings: Sendable, Hashable {
    /// The UDP payload size we advertise and cap answers at (DNS Flag Day 2020: 1232).
    package var maximumUDPPayload: Int
    /// Whether RA is set: true once forwarding to upstream resolvers is on.
    package var recursionAvailable: Bool
    /// The TCP idle timeout in 100 ms units, sent in edns-tcp-keepalive replies (RFC 7828 §3.3.2).
    package var tcpIdleTimeoutUnits: UInt16
    /// `--autopath`: a pod's first search-list expansion that does not exist is answered with the
    /// first name of its search list that does (`AutopathSearch`).
    package var autopath = false

    package init(maximumUDPPayload: Int = 1232, recursionAvailable: Bool = false, tcpIdleTimeoutUnits: UInt16 = 100) {
        self.maximumUDPPayload = maximumUDPPayload
        self.recursionAvailable = recursionAvailable
        self.tcpIdleTimeoutUnits = tcpIdleTimeoutUnits
    }
}
