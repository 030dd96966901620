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
    /// One name.
    package struct NameEntry: Sendable {
        package var offset: UInt32
        /// Of the name without the shard's `suffix`.
        package var length: UInt16
        package var zone: UInt16
        package var hash: UInt32
        /// Typed answers: `typeKeys[typesStart ..< typesStart + typesCount]`.
        package var typesStart: UInt32
        package var typesCount: UInt16
        /// The answer for any other type; -1: the zone's NODATA.
        package var other: Int32
        /// The answer to QTYPE=ANY; -1: the zone's NODATA.
        package var any: Int32
    }

    /// One answer: where its bytes and cut points are, and what to add when answering. The
    /// 32-bit fields come first and the byte last, so that it takes 32 bytes, not 36.
    package struct Answer: Sendable {
        package var start: UInt32
        package var length: UInt32
        package var cutStart: UInt32
        package var cutCount: UInt32
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
    package let typeKeys: [UInt16]
    package let typeAnswers: [UInt32]
    package let slots: [Int32]
    package let answers: [Answer]
    package let bytes: [UInt8]
    package let cuts: [CutPoint]
    package let externalChains: [ExternalChain]

    package static let empty = AnswerShard(entries: [])

    package init(entries: [CompiledEntry]) {
        var nameBytes: [UInt8] = []
        var names: [NameEntry] = []
        var typeKeys: [UInt16] = []
        var typeAnswers: [UInt32] = []
        var answers: [Answer] = []
        var bytes: [UInt8] = []
        var cuts: [CutPoint] = []
        var externalChains: [ExternalChain] = []
        // Every array is sized exactly before it is filled: a shard lives as long as its snapshot
        // (most for the server's lifetime), and arrays grown by appending keep up to half their
        // capacity empty — at 640,000 records that slack was a quarter of the table.
        let suffix = Self.commonSuffix(of: entries)
        var totals = (names: 0, blobs: 0, bytes: 0, cuts: 0, typed: 0)
        func count(_ blob: CompiledBlob?) {
            guard let blob else { return }
            totals.blobs += 1
            totals.bytes += blob.bytes.count
            totals.cuts += blob.cuts.count
        }
        for entry in entries {
            totals.names += entry.name.count - suffix.count
            totals.typed += entry.typed.count
            for (_, blob) in entry.typed { count(blob) }
            count(entry.other)
            // The answer to ANY is stored once when it equals a typed answer (as below).
            if let any = entry.any, !entry.typed.contains(where: { $0.blob == any }) { count(any) }
        }
        nameBytes.reserveCapacity(totals.names)
        names.reserveCapacity(entries.count)
        typeKeys.reserveCapacity(totals.typed)
        typeAnswers.reserveCapacity(totals.typed)
        answers.reserveCapacity(totals.blobs)
        bytes.reserveCapacity(totals.bytes)
        cuts.reserveCapacity(totals.cuts)
        func add(_ blob: CompiledBlob) -> Int32 {
            var external: Int32 = -1
            if let chain = blob.externalChain {
                external = Int32(externalChains.count)
                externalChains.append(chain)
            }
            answers.append(
                Answer(
                    start: UInt32(bytes.count), length: UInt32(blob.bytes.count), cutStart: UInt32(cuts.count),
                    cutCount: UInt32(blob.cuts.count), externalChain: external, authorityZone: Int32(blob.authorityZone ?? -1),
                    answerCount: blob.answerCount, authorityCount: blob.authorityCount,
                    additionalCount: blob.additionalCount, rcode: blob.rcode))
            bytes += blob.bytes
            cuts += blob.cuts
            return Int32(answers.count - 1)
        }
        for entry in entries {
            CoreSharing.checkpoint()
            let prefixLength = entry.name.count - suffix.count
            var name = NameEntry(
                offset: UInt32(nameBytes.count), length: UInt16(prefixLength), zone: UInt16(entry.zone),
                hash: NameHash.hash(entry.name), typesStart: UInt32(typeKeys.count), typesCount: 0, other: -1, any: -1)
            nameBytes += entry.name[0..<prefixLength]
            var anyIndex: Int32 = -1
            for (type, blob) in entry.typed {
                let index = add(blob)
                typeKeys.append(type)
                typeAnswers.append(UInt32(index))
                name.typesCount += 1
                if let any = entry.any, any == blob, anyIndex < 0 { anyIndex = index }
            }
            if let other = entry.other { name.other = add(other) }
            if let any = entry.any { name.any = anyIndex >= 0 ? anyIndex : add(any) }
            names.append(name)
        }
        var size = 16
        while size < names.count * 2 { size <<= 1 }
        var slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        for (index, entry) in names.enumerated() {
            var slot = Int(entry.hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
        self.nameBytes = nameBytes
        self.suffix = suffix
        self.names = names
        self.typeKeys = typeKeys
        self.typeAnswers = typeAnswers
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
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
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
            slot = (slot + 1) & mask
        }
    }

    /// The answer of `entry` for `qtype`; -1 for the zone's NODATA.
    @inlinable
    package func answerIndex(_ entryIndex: Int, qtype: UInt16) -> Int {
        let entry = self.names[entryIndex]
        if qtype == RRType.any.rawValue { return Int(entry.any) }
        let start = Int(entry.typesStart)
        for index in start..<(start + Int(entry.typesCount)) where self.typeKeys[index] == qtype {
            return Int(self.typeAnswers[index])
        }
        return Int(entry.other)
    }

    /// The entries again, as values (to build a changed shard from this one).
    package func entries() -> [CompiledEntry] {
        self.names.map { name in
            var entry = CompiledEntry(
                name: Array(self.nameBytes[Int(name.offset)..<(Int(name.offset) + Int(name.length))]) + self.suffix,
                zone: Int(name.zone))
            let start = Int(name.typesStart)
            for index in start..<(start + Int(name.typesCount)) {
                entry.typed.append((self.typeKeys[index], self.blob(Int(self.typeAnswers[index]))))
            }
            if name.other >= 0 { entry.other = self.blob(Int(name.other)) }
            if name.any >= 0 { entry.any = self.blob(Int(name.any)) }
            return entry
        }
    }

    package func blob(_ index: Int) -> CompiledBlob {
        let answer = self.answers[index]
        let start = Int(answer.start)
        let cutStart = Int(answer.cutStart)
        return CompiledBlob(
            rcode: answer.rcode, bytes: Array(self.bytes[start..<(start + Int(answer.length))]),
            answerCount: answer.answerCount, authorityCount: answer.authorityCount,
            additionalCount: answer.additionalCount, cuts: Array(self.cuts[cutStart..<(cutStart + Int(answer.cutCount))]),
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
