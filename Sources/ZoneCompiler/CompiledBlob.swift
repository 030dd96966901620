import DNSWire

/// One response body compiled ahead of time: the answer, authority and additional sections in
/// wire form with their counts, the RCODE, and the RRset boundaries where it may be cut to fit a
/// size limit. The bytes assume the question at offset 12 spelling the owner name (so names
/// compress against it). Self-contained: it can be copied into any shard as it is.
package struct CompiledBlob: Sendable, Hashable {
    package var rcode: UInt8
    package var bytes: [UInt8]
    package var answerCount: UInt16
    package var authorityCount: UInt16
    package var additionalCount: UInt16
    /// The RRset boundaries before the end (the whole is always a place to end).
    package var cuts: [CutPoint]
    /// A CNAME chain leaving our zones: a resolver may chase it from its target.
    package var externalChain: ExternalChain?
    /// The zone whose SOA goes in the authority section, appended when answering so the serial
    /// is always the current one (CNAME chains that end in NXDOMAIN or NODATA).
    package var authorityZone: Int?

    package init(
        rcode: UInt8, bytes: [UInt8], answerCount: UInt16, authorityCount: UInt16 = 0, additionalCount: UInt16 = 0,
        cuts: [CutPoint], externalChain: ExternalChain? = nil, authorityZone: Int? = nil
    ) {
        self.rcode = rcode
        self.bytes = bytes
        self.answerCount = answerCount
        self.authorityCount = authorityCount
        self.additionalCount = additionalCount
        self.cuts = cuts
        self.externalChain = externalChain
        self.authorityZone = authorityZone
    }
}
