import DNSWire

/// A client's question that the snapshot cannot answer alone (a name outside our zones, or an
/// ExternalName target to chase): everything needed to answer it later.
package struct ClientRequest: Sendable, Hashable {
    package var id: UInt16
    /// The query's second header word (RD, CD, opcode...).
    package var flags: UInt16
    /// The question section exactly as sent (echoed, with the client's spelling).
    package var question: [UInt8]
    package var name: DomainName
    package var qtype: RRType
    package var qclass: UInt16
    package var edns: EDNSInfo?
    package var transport: Transport

    package init(
        id: UInt16, flags: UInt16, question: [UInt8], name: DomainName, qtype: RRType, qclass: UInt16, edns: EDNSInfo?,
        transport: Transport
    ) {
        self.id = id
        self.flags = flags
        self.question = question
        self.name = name
        self.qtype = qtype
        self.qclass = qclass
        self.edns = edns
        self.transport = transport
    }

    package var checkingDisabled: Bool { self.flags & HeaderFlags.checkingDisabled.rawValue != 0 }
}
