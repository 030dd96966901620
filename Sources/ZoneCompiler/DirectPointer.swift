import DNSWire

/// A PTR owner with one target, laid into its shard's records straight from the two names:
/// exactly the entry `EntryCompiler.pointerEntry` makes (its answer the owner as a pointer to
/// the question, type, class, TTL, length and the target whole; ANY answered by it), without
/// the entry, its answer's bytes or its list of answers. The reverse zones hold one such owner
/// per address (170,000 at L), and those three allocations and their copy into the shard were
/// most of compiling them.
package struct DirectPointer: Sendable {
    /// The owner's lower-cased wire form.
    package var owner: [UInt8]
    /// The target's wire form, as written.
    package var target: [UInt8]
    package var ttl: UInt32
    package var zone: Int

    /// nil where `pointerEntry` would take the general path (an owner outside `arpa.`, a
    /// target under it or the root).
    package init?(owner: DomainName, target: DomainName, ttl: UInt32, zone: Int) {
        guard EntryCompiler.answersPointerDirectly(owner: owner, target: target) else { return nil }
        self.owner = owner.lowercased.wire
        self.target = target.wire
        self.ttl = ttl
        self.zone = zone
    }

    /// The bytes of its answer: the owner as a pointer to the question (offset 12), type PTR,
    /// class IN, TTL, length and the target.
    var answerLength: Int { 12 + self.target.count }

    func writeAnswer(into base: UnsafeMutableRawPointer) {
        base.storeBytes(of: UInt16(0xC00C).bigEndian, toByteOffset: 0, as: UInt16.self)
        base.storeBytes(of: RRType.ptr.rawValue.bigEndian, toByteOffset: 2, as: UInt16.self)
        base.storeBytes(of: UInt16(1).bigEndian, toByteOffset: 4, as: UInt16.self)  // class IN
        base.storeBytes(of: self.ttl.bigEndian, toByteOffset: 6, as: UInt32.self)
        base.storeBytes(of: UInt16(self.target.count).bigEndian, toByteOffset: 10, as: UInt16.self)
        self.target.withUnsafeBytes { target in
            if let from = target.baseAddress { (base + 12).copyMemory(from: from, byteCount: target.count) }
        }
    }
}
