import DNSWire

/// What the query path decided for one message.
package enum QueryOutcome: Sendable, Equatable {
    /// Say nothing: shorter than a header, or a response (QR=1).
    case drop
    /// A reply of this many bytes was written to the output buffer.
    case reply(length: Int)
    /// A zone transfer (AXFR/IXFR over TCP) of the snapshot's zone at this index; the transport
    /// streams it. `question` is the query's question section, echoed in every message.
    case zoneTransfer(zone: Int, id: UInt16, question: [UInt8], edns: Bool)
    /// The name is outside our zones: a resolver should answer it. The bytes written are the
    /// REFUSED reply to send when there is none.
    case outOfZone(refusedLength: Int, request: ClientRequest)
    /// An A/AAAA question answered with a CNAME to a name outside our zones (ExternalName): the
    /// bytes written are the CNAME-only reply; a resolver may add the target's records.
    case chase(length: Int, target: DomainName, request: ClientRequest)
}
