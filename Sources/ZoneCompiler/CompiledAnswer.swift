/// A response body compiled ahead of time: the answer, authority and additional sections in wire
/// form, their counts, the RCODE, and where the sections may be cut to fit a size limit.
/// The bytes assume the question sits at offset 12 and spells the owner name (same length),
/// which is what lets names compress against it; shared negative answers use no pointers.
package struct CompiledAnswer: Sendable {
    package var rcode: UInt8
    /// Offset and length of the sections in the table's byte arena.
    package var start: UInt32
    package var length: UInt32
    package var answerCount: UInt16
    package var authorityCount: UInt16
    package var additionalCount: UInt16
    /// The answer's RRset boundaries in the table's cut arena: a reply may end at any of them.
    package var cutStart: UInt32
    package var cutCount: UInt32
    /// For a CNAME chain leaving our zones: the name index (in the table's external-target list)
    /// that a resolver should chase for the querier; -1 when none.
    package var externalTarget: Int32

    package init(
        rcode: UInt8, start: UInt32, length: UInt32, answerCount: UInt16, authorityCount: UInt16,
        additionalCount: UInt16, cutStart: UInt32, cutCount: UInt32, externalTarget: Int32 = -1
    ) {
        self.rcode = rcode
        self.start = start
        self.length = length
        self.answerCount = answerCount
        self.authorityCount = authorityCount
        self.additionalCount = additionalCount
        self.cutStart = cutStart
        self.cutCount = cutCount
        self.externalTarget = externalTarget
    }
}
