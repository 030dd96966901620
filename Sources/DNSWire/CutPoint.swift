/// A place a compiled answer can end: after an RRset (RFC 2181 §9: RRsets are never split),
/// with the byte length and record counts up to that point.
package struct CutPoint: Sendable, Hashable {
    package var end: UInt32
    package var answerCount: UInt16
    package var authorityCount: UInt16
    package var additionalCount: UInt16

    package init(end: UInt32, answerCount: UInt16, authorityCount: UInt16, additionalCount: UInt16) {
        self.end = end
        self.answerCount = answerCount
        self.authorityCount = authorityCount
        self.additionalCount = additionalCount
    }
}
