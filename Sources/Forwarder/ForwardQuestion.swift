import DNSWire

/// A question to resolve upstream, and the cache key of its answer.
package struct ForwardQuestion: Sendable, Hashable {
    /// Lower-cased: names compare case-insensitively, and the cache shares their answers.
    package var name: DomainName
    package var type: RRType
    package var qclass: UInt16
    /// DO (RFC 3225): a DNSSEC-aware answer is a different answer.
    package var dnssecOK: Bool
    /// CD (RFC 4035 §3.2.2): passed on; a different answer too.
    package var checkingDisabled: Bool

    package init(name: DomainName, type: RRType, qclass: UInt16 = 1, dnssecOK: Bool = false, checkingDisabled: Bool = false) {
        self.name = name.lowercased
        self.type = type
        self.qclass = qclass
        self.dnssecOK = dnssecOK
        self.checkingDisabled = checkingDisabled
    }
}
