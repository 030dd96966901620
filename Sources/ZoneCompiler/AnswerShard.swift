import DNSWire
import CoreSharing

/// A set of compiled names in flat arrays: an open-addressing hash table over a byte arena of
/// lower-cased wire names, and the answers' bytes in one arena. Answering is a hash probe, a
/// byte compare and a copy — no allocation. Immutable, so snapshots share the shards that did
/// not change.
///
/// The bytes every name of the shard ends with (`<ns>.svc.cluster.local.` in a namespace's
/// shard, `in-addr.arpa.` in a reverse one) are kept once, in `suffix`; the arena holds the rest of
/// each name (at L, the names were a quarter of the table).
package final class AnswerShard: Sendable {
    /// One name: 20 bytes. Its answers are consecutive in `answers`: one per type it has
    /// (`typesCount`, their types in `answerTypes`), then the answer for any other type if
    /// `hasOther`, then the answer to ANY unless it is one of those.
    package struct NameEntry: Sendable {
        package var offset: UInt32
        package var hash: UInt32
        package var firstAnswer: UInt32
        package var zone: UInt16
        package var typesCount: UInt16
        /// The answer to QTYPE=ANY is `answers[firstAnswer + anyOffset]`; `noAnswer`: the zone's NODATA.
        package var anyOffset: UInt16
        /// Of the name without the shard's `suffix` (a wire name is at most 255 bytes).
        package var length: UInt8
        /// Whether the answer after the typed ones answers every other type (else: the zone's NODATA).
        package var hasOther: Bool

        package static let noAnswer = UInt16.max
    }

    /// One answer: where its bytes and cut points start (each ends where the next answer's
    /// start), and what to add when answering. 24 bytes.
    package struct Answer: Sendable {
        package var start: UInt32
        package var cutStart: UInt32
        /// Index into `externalChains`, or -1.
        package var externalChain: Int32
        /// The zone whose SOA is appended to the authority section, or -1.
        package var authorityZone: Int32
        package var answerCount: UInt16
        package var authorityCount: UInt16
        package var additionalCount: UInt16
        package var rcode: UInt8
    }

    package let nameBytes: [UInt8]
    /// The bytes (the root's zero byte at least) that end every name of the shard.
    package let suffix: [UInt8]
    package let names: [NameEntry]
    /// The type each answer answers (0 for the answers to other types and to ANY).
    package let answerTypes: [UInt16]
    package let slots: [Int32]
    package let answers: [Answer]
    package let bytes: [UInt8]
    package let cuts: [CutPoint]
    package let externalChains: [ExternalChain]

    package static let empty = AnswerShard(entries: [])

    package init(entries: [CompiledEntry]) {
        var nameBytes: [UInt8] = []
        var names: [NameEntry] = []
        var answerTypes: [UInt16] = []
        var answers: [Answer] = []
        var bytes: [UInt8] = []
        var cuts: [CutPoint] = []
        var externalChains: [ExternalChain] = []
        // Every array is sized exactly before it is filled: a shard lives as long as its snapshot
        // (most for the server's lifetime), and arrays grown by appending keep up to half their
        // capacity empty — at 640,000 records that slack was a quarter of the table.
        let suffix = Self.commonSuffix(of: entries)
        var totals = (names: 0, blobs: 0, bytes: 0, cuts: 0)
        func count(_ blob: CompiledBlob?) {
            guard let blob else { return }
            totals.blobs += 1
            totals.bytes += blob.bytes.count
            totals.cuts += blob.cuts.count
        }
        for entry in entries {
            totals.names += entry.name.count - suffix.count
            for (_, blob) in entry.typed { count(blob) }
            count(entry.other)
            // The answer to ANY is stored once when it equals a typed answer (as below).
            if let any = entry.any, !entry.typed.contains(where: { $0.blob == any }) { count(any) }
        }
        nameBytes.reserveCapacity(totals.names)
        names.reserveCapacity(entries.count)
        answerTypes.reserveCapacity(totals.blobs)
        answers.reserveCapacity(totals.blobs)
        bytes.reserveCapacity(totals.bytes)
        cuts.reserveCapacity(totals.cuts)
        func add(_ blob: CompiledBlob, type: UInt16) {
            var external: Int32 = -1
            if let chain = blob.externalChain {
                external = Int32(externalChains.count)
                externalChains.append(chain)
            }
            answers.append(
                Answer(
                    start: UInt32(bytes.count), cutStart: UInt32(cuts.count), externalChain: external,
                    authorityZone: Int32(blob.authorityZone ?? -1), answerCount: blob.answerCount,
                    authorityCount: blob.authorityCount, additionalCount: blob.additionalCount, rcode: blob.rcode))
            answerTypes.append(type)
            bytes += blob.bytes
            cuts += blob.cuts
        }
        for entry in entries {
            CoreSharing.checkpoint()
            let prefixLength = entry.name.count - suffix.count
            var name = NameEntry(
                offset: UInt32(nameBytes.count), hash: NameHash.hash(entry.name), firstAnswer: UInt32(answers.count),
                zone: UInt16(entry.zone), typesCount: UInt16(entry.typed.count), anyOffset: NameEntry.noAnswer,
                length: UInt8(prefixLength), hasOther: entry.other != nil)
            nameBytes += entry.name[0..<prefixLength]
            for (offset, (type, blob)) in entry.typed.enumerated() {
                add(blob, type: type)
                if let any = entry.any, any == blob, name.anyOffset == NameEntry.noAnswer { name.anyOffset = UInt16(offset) }
            }
            if let other = entry.other { add(other, type: 0) }
            if let any = entry.any, name.anyOffset == NameEntry.noAnswer {
                name.anyOffset = UInt16(answers.count - Int(name.firstAnswer))
                add(any, type: 0)
            }
            names.append(name)
        }
        // Twice as many slots as names, not the next power of two: that was 2 to 4 times as
        // many (a third of the slots, 2 MiB at L, saved at the same greatest load, one half).
        let size = max(8, names.count * 2)
        var slots = [Int32](repeating: -1, count: size)
        for (index, entry) in names.enumerated() {
            var slot = Self.slot(of: entry.hash, count: size)
            while slots[slot] >= 0 { slot = slot + 1 == size ? 0 : slot + 1 }
            slots[slot] = Int32(index)
        }
        self.nameBytes = nameBytes
        self.suffix = suffix
        self.names = names
        self.answerTypes = answerTypes
        self.slots = slots
        self.answers = answers
        self.bytes = bytes
        self.cuts = cuts
        self.externalChains = externalChains
    }

    package var count: Int { self.names.count }

    /// The longest byte string that ends every entry's name (the root's zero byte at least). A
    /// name's bytes are its prefix and this, wherever the cut falls: equality is of whole names.
    static func commonSuffix(of entries: [CompiledEntry]) -> [UInt8] {
        guard var suffix = entries.first?.name[...] else { return [0] }
        for entry in entries.dropFirst() {
            CoreSharing.checkpoint()
            var common = 0
            let limit = min(entry.name.count, suffix.count)
            while common < limit, entry.name[entry.name.count - 1 - common] == suffix[suffix.endIndex - 1 - common] {
                common += 1
            }
            suffix = suffix.suffix(common)
            if suffix.count <= 1 { break }
        }
        return Array(suffix)
    }

    /// The slot a name with `hash` is looked for first, of `count`: the hash mixed (the reverse
    /// zones' shard is chosen by its top bits, which all of a shard's names share) and scaled
    /// to the table by a multiply, not a division.
    @inlinable
    static func slot(of hash: UInt32, count: Int) -> Int {
        Int((UInt64(hash &* 0x9E37_79B1) &* UInt64(count)) >> 32)
    }

    /// The index of the entry whose name equals `name` (lower-cased wire form) with `hash`.
    @inlinable
    package func find(_ name: UnsafeRawBufferPointer, hash: UInt32) -> Int? {
        let suffixCount = self.suffix.count
        guard name.count >= suffixCount, let nameBase = name.baseAddress else { return nil }
        let prefixCount = name.count - suffixCount
        // Every name here ends with `suffix`: a name that does not is none of them.
        let endsWithSuffix = self.suffix.withUnsafeBytes { suffix -> Bool in
            guard let suffixBase = suffix.baseAddress else { return suffixCount == 0 }
            return memcmpEqual(suffixBase, nameBase + prefixCount, suffixCount)
        }
        guard endsWithSuffix else { return nil }
        let count = self.slots.count
        var slot = Self.slot(of: hash, count: count)
        while true {
            let index = Int(self.slots[slot])
            if index < 0 { return nil }
            let entry = self.names[index]
            if entry.hash == hash, Int(entry.length) == prefixCount {
                let matches = self.nameBytes.withUnsafeBytes { arena -> Bool in
                    guard let arenaBase = arena.baseAddress else { return prefixCount == 0 }
                    return memcmpEqual(arenaBase + Int(entry.offset), nameBase, prefixCount)
                }
                if matches { return index }
            }
            slot = slot + 1 == count ? 0 : slot + 1
        }
    }

    /// The answer of `entry` for `qtype`; -1 for the zone's NODATA.
    @inlinable
    package func answerIndex(_ entryIndex: Int, qtype: UInt16) -> Int {
        let entry = self.names[entryIndex]
        let first = Int(entry.firstAnswer)
        if qtype == RRType.any.rawValue {
            return entry.anyOffset == NameEntry.noAnswer ? -1 : first + Int(entry.anyOffset)
        }
        let typesEnd = first + Int(entry.typesCount)
        for index in first..<typesEnd where self.answerTypes[index] == qtype { return index }
        return entry.hasOther ? typesEnd : -1
    }

    /// Where the bytes of answer `index` are in `bytes`.
    @inlinable
    package func byteRange(of index: Int) -> Range<Int> {
        let end = index + 1 < self.answers.count ? Int(self.answers[index + 1].start) : self.bytes.count
        return Int(self.answers[index].start)..<end
    }

    /// Where the cut points of answer `index` are in `cuts`.
    @inlinable
    package func cutRange(of index: Int) -> Range<Int> {
        let end = index + 1 < self.answers.count ? Int(self.answers[index + 1].cutStart) : self.cuts.count
        return Int(self.answers[index].cutStart)..<end
    }

    /// The entries again, as values (to build a changed shard from this one).
    package func entries() -> [CompiledEntry] {
        self.names.map { name in
            var entry = CompiledEntry(
                name: Array(self.nameBytes[Int(name.offset)..<(Int(name.offset) + Int(name.length))]) + self.suffix,
                zone: Int(name.zone))
            let first = Int(name.firstAnswer)
            let typesEnd = first + Int(name.typesCount)
            for index in first..<typesEnd {
                entry.typed.append((self.answerTypes[index], self.blob(index)))
            }
            if name.hasOther { entry.other = self.blob(typesEnd) }
            if name.anyOffset != NameEntry.noAnswer { entry.any = self.blob(first + Int(name.anyOffset)) }
            return entry
        }
    }

    package func blob(_ index: Int) -> CompiledBlob {
        let answer = self.answers[index]
        return CompiledBlob(
            rcode: answer.rcode, bytes: Array(self.bytes[self.byteRange(of: index)]),
            answerCount: answer.answerCount, authorityCount: answer.authorityCount,
            additionalCount: answer.additionalCount, cuts: Array(self.cuts[self.cutRange(of: index)]),
            externalChain: answer.externalChain >= 0 ? self.externalChains[Int(answer.externalChain)] : nil,
            authorityZone: answer.authorityZone >= 0 ? Int(answer.authorityZone) : nil)
    }

    /// This shard without the names in `removed` and with `added` (which replace names they repeat).
    package func updating(removing removed: Set<[UInt8]>, adding added: [CompiledEntry]) -> AnswerShard {
        let replaced = removed.union(added.map(\.name))
        let kept = self.entries().filter { !replaced.contains($0.name) }
        return AnswerShard(entries: kept + added)
    }
}

/// Byte equality of two regions.
@inlinable
package func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var index = 0
    while index < count {
        if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) {
            return false
        }
        index += 1
    }
    return true
}
