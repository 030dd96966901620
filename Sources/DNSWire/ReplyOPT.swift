/// The OPT record of a reply (RFC 6891 §6.1.2): our payload size, the RCODE's upper bits, the
/// DO bit copied from the query (RFC 3225 §3), and, over TCP when the query asked, our idle
/// timeout in edns-tcp-keepalive (RFC 7828 §3.3.2).
package struct ReplyOPT: Sendable, Hashable {
    package var payloadSize: UInt16
    package var extendedRcode: UInt8
    package var dnssecOK: Bool
    /// In units of 100 ms; nil: no keepalive option.
    package var keepaliveTimeout: UInt16?

    package init(payloadSize: UInt16, rcode: ResponseCode = .noError, dnssecOK: Bool, keepaliveTimeout: UInt16? = nil) {
        self.init(payloadSize: payloadSize, rcodeValue: rcode.rawValue, dnssecOK: dnssecOK, keepaliveTimeout: keepaliveTimeout)
    }

    /// The same with the RCODE as a number: its upper eight bits go here (RFC 6891 §6.1.3).
    package init(payloadSize: UInt16, rcodeValue rcode: UInt16, dnssecOK: Bool, keepaliveTimeout: UInt16? = nil) {
        self.payloadSize = payloadSize
        self.extendedRcode = UInt8(truncatingIfNeeded: rcode >> 4)
        self.dnssecOK = dnssecOK
        self.keepaliveTimeout = keepaliveTimeout
    }

    /// Its size on the wire.
    package var length: Int { self.keepaliveTimeout == nil ? 11 : 17 }
}
