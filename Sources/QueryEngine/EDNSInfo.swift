/// What a query's OPT record says (RFC 6891 §6.1.3).
package struct EDNSInfo: Sendable, Hashable {
    /// The requestor's UDP payload size; values below 512 count as 512 (§6.2.5).
    package var payloadSize: Int
    package var version: UInt8
    /// The DO bit (RFC 3225), copied into the reply's OPT.
    package var dnssecOK: Bool
    /// The query carried edns-tcp-keepalive (RFC 7828): over TCP the reply says our idle timeout.
    package var keepalive: Bool

    package init(payloadSize: Int, version: UInt8, dnssecOK: Bool, keepalive: Bool = false) {
        self.payloadSize = payloadSize
        self.version = version
        self.dnssecOK = dnssecOK
        self.keepalive = keepalive
    }
}
