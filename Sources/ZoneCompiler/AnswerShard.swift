import DNSWire
import CoreSharing

/// A set of compiled names in one flat arena: an open-addressing hash table whose slots hold each
/// name's hash beside its record, and per name one record holding the name, its answers'
/// descriptors and their bytes side by side. Answering is a slot read, one record (a few adjacent
/// cache lines: the name compared, the answer chosen and copied) and no allocation. The table
/// used to spread a name over six arrays (slots, entries, name bytes, answer types, answers,
/// bytes): six dependent cache misses per question at M and L, the largest part of the user
/// time per query. Immutable, so snapshots share the shards that did not change.
///
/// The bytes every name of the shard ends with (`<ns>.svc.cluster.local.` in a namespace's
/// shard, `in-addr.arpa.` in a reverse one) are kept once, in `suffix`; records hold the rest of
/// each name (at L, the names were a quarter of the table).
///
/// An entry is named by the offset of its record in `records`, an answer by the offset of its
/// descriptor there: what `find` and `answerIndex` return.
package final class AnswerShard: Sendable {
    /// One answer, read from its descriptor.
    package struct Answer: Sendable {
        /// The type it answers (0 for the answer to other types, and to ANY when it is its own).
        package var type: UInt16
        package var rcode: UInt8
        /// Where its bytes are in `records`.
        package var bytes: Range<Int>
        /// Where its cut points are in `cuts`.
        package var cuts: Range<Int>
        package var answerCount: UInt16
        package var authorityCount: UInt16
        package var additionalCount: UInt16
        /// Index into `externalChains`, or -1.
        package var externalChain: Int32
        /// The zone whose SOA is appended to the authority section, or -1.
        package var authorityZone: Int32
    }

    /// Records, back to back: the header (below), the name without `suffix`, one 32-byte
    /// descriptor per answer (the typed answers first, then the one for every other type, then
    /// the one to ANY when it is not a typed one), then the answers' bytes. Little-endian fields,
    /// read unaligned.
    package let records: [UInt8]
    /// The bytes (the root's zero byte at least) that end every name of the shard.
    package let suffix: [UInt8]
    /// `hash << 32 | record offset`; `emptySlot` where none.
    package let slots: [UInt64]
    package let cuts: [CutPoint]
    package let externalChains: [ExternalChain]
    /// How many names the shard holds.
    package let count: Int

    package static let empty = AnswerShard(entries: [])

    // Record header: name length (without the suffix, a byte), flags (a byte), then 16 bits
    // each: descriptors, typed descriptors, the descriptor answering ANY, zone. A zone file may
    // give one name any number of types, so the counts are not bytes.
    @inlinable static var nameLengthField: Int { 0 }
    @inlinable static var flagsField: Int { 1 }
    @inlinable static var answersField: Int { 2 }
    @inlinable static var typesField: Int { 4 }
    @inlinable static var anyField: Int { 6 }
    @inlinable static var zoneField: Int { 8 }
    @inlinable static var headerSize: Int { 10 }
    // Descriptor: type (16 bits), RCODE (a byte), a spare byte, then 32 bits each: where its
    // bytes start in `records`, their length, where its cut points start in `cuts`; 16 bits each:
    // cut points, answer, authority and additional counts; 32 bits each: the external chain and
    // the authority zone (-1: none). Written by `init`, read by `answer(at:)`.
    @inlinable static var descriptorSize: Int { 32 }
    /// In `flagsField`: the descriptor after the typed ones answers every other type (else: the
    /// zone's NODATA).
    @inlinable static var hasOtherFlag: UInt8 { 1 }
    /// In `anyField`: ANY gets the zone's NODATA.
    @inlinable static var noAnswer: UInt16 { 0xFFFF }
    @inlinable static var emptySlot: UInt64 { .max }

    /// The shard of `entries` and then `direct` (each laid out as the entry the general compiler
    /// makes of it).
    package init(entries: [CompiledEntry], direct: [DirectEntry] = []) {
        // The records, cuts and slots are sized exactly before they are filled: a shard lives as
        // long as its snapshot (most for the server's lifetime), and arrays grown by appending
        // keep up to half their capacity empty — at 640,000 records that slack was a quarter of
        // the table. (External chains are few.)
        // Names read in place by index: mapping the arrays copied each entry whole for its name.
        let suffix = Self.commonSuffix(of: entries.indices.lazy.map { entries[$0].name }, direct.indices.lazy.map { direct[$0].owner })
        // The typed answer each entry's ANY shares (-1: none), and the sizes, before writing.
        var typedAny = [Int](repeating: -1, count: entries.count)
        var totals = (records: 0, cuts: 0)
        for index in entries.indices {
            let entry = entries[index]
            typedAny[index] = Self.typedAnswerToAny(of: entry) ?? -1
            var answers = 0
            Self.forEachStoredAnswer(of: entry, anySharesTyped: typedAny[index] >= 0) { _, blob in
                answers += 1
                totals.records += blob.bytes.count
                totals.cuts += blob.cuts.count
            }
            precondition(answers < Int(Self.noAnswer), "a name has fewer than 65,535 answers")
            totals.records += Self.headerSize + entry.name.count - suffix.count + answers * Self.descriptorSize
        }
        for entry in direct {
            totals.records += Self.headerSize + entry.owner.count - suffix.count + entry.answerCount * Self.descriptorSize + entry.answerLength
            totals.cuts += entry.cutCount
        }
        precondition(totals.records < Int(UInt32.max), "a shard's records must be addressable with 32 bits")
        var cuts: [CutPoint] = []
        var externalChains: [ExternalChain] = []
        var placed: [(hash: UInt32, offset: Int)] = []
        cuts.reserveCapacity(totals.cuts)
        placed.reserveCapacity(entries.count + direct.count)
        // Written in place into storage of the exact size (appending byte by byte was a tenth
        // of building a shard).
        let records = [UInt8](unsafeUninitializedCapacity: totals.records) { buffer, initialized in
            guard let base = buffer.baseAddress.map(UnsafeMutableRawPointer.init) else { return }
            var at = 0
            func put8(_ value: UInt8) {
                base.storeBytes(of: value, toByteOffset: at, as: UInt8.self)
                at += 1
            }
            func put16(_ value: UInt16) {
                base.storeBytes(of: value.littleEndian, toByteOffset: at, as: UInt16.self)
                at += 2
            }
            func put32(_ value: UInt32) {
                base.storeBytes(of: value.littleEndian, toByteOffset: at, as: UInt32.self)
                at += 4
            }
            func put(_ bytes: ArraySlice<UInt8>) {
                bytes.withUnsafeBytes { source in
                    if let from = source.baseAddress { (base + at).copyMemory(from: from, byteCount: source.count) }
                }
                at += bytes.count
            }
            // A record's header and its answers' descriptors, written here alone for both kinds
            // of entry (the layout `find` and `answer` read).
            func putHeader(name: [UInt8], prefixLength: Int, flags: UInt8, answers: Int, typed: Int, any: UInt16, zone: Int) {
                put8(UInt8(prefixLength))
                put8(flags)
                put16(UInt16(answers))
                put16(UInt16(typed))
                put16(any)
                put16(UInt16(zone))
                put(name[0..<prefixLength])
            }
            func putDescriptor(
                type: UInt16, rcode: UInt8, start: Int, length: Int, cutCount: Int,
                counts: (answer: UInt16, authority: UInt16, additional: UInt16), externalChain: Int32, authorityZone: Int32
            ) {
                put16(type)
                put8(rcode)
                put8(0)
                put32(UInt32(start))
                put32(UInt32(length))
                put32(UInt32(cuts.count))
                put16(UInt16(cutCount))
                put16(counts.answer)
                put16(counts.authority)
                put16(counts.additional)
                put32(UInt32(bitPattern: externalChain))
                put32(UInt32(bitPattern: authorityZone))
            }
            for index in entries.indices {
                CoreSharing.checkpoint()
                let entry = entries[index]
                let anySharesTyped = typedAny[index] >= 0
                let answers = entry.typed.count + (entry.other == nil ? 0 : 1) + (!anySharesTyped && entry.any != nil ? 1 : 0)
                // The answer to ANY: the typed one it equals, else its own, stored last.
                let anyIndex = anySharesTyped ? typedAny[index] : (entry.any == nil ? nil : answers - 1)
                let prefixLength = entry.name.count - suffix.count
                placed.append((NameHash.hash(entry.name), at))
                putHeader(
                    name: entry.name, prefixLength: prefixLength, flags: entry.other != nil ? Self.hasOtherFlag : 0,
                    answers: answers, typed: entry.typed.count, any: anyIndex.map { UInt16($0) } ?? Self.noAnswer, zone: entry.zone)
                var start = at + answers * Self.descriptorSize
                // Descriptors first, then the bytes, each in the order `forEachStoredAnswer` gives.
                Self.forEachStoredAnswer(of: entry, anySharesTyped: anySharesTyped) { type, blob in
                    var external: Int32 = -1
                    if let chain = blob.externalChain {
                        external = Int32(externalChains.count)
                        externalChains.append(chain)
                    }
                    putDescriptor(
                        type: type, rcode: blob.rcode, start: start, length: blob.bytes.count, cutCount: blob.cuts.count,
                        counts: (blob.answerCount, blob.authorityCount, blob.additionalCount), externalChain: external,
                        authorityZone: Int32(blob.authorityZone ?? -1))
                    start += blob.bytes.count
                    cuts += blob.cuts
                }
                Self.forEachStoredAnswer(of: entry, anySharesTyped: anySharesTyped) { _, blob in put(blob.bytes[...]) }
            }
            // At most one answer, typed, which also answers ANY; no chain.
            for entry in direct {
                CoreSharing.checkpoint()
                let prefixLength = entry.owner.count - suffix.count
                let answers = entry.answerCount
                placed.append((NameHash.hash(entry.owner), at))
                // No answer to other types; ANY's answer is the typed one.
                putHeader(
                    name: entry.owner, prefixLength: prefixLength, flags: 0, answers: answers, typed: answers,
                    any: answers == 1 ? 0 : Self.noAnswer, zone: entry.zone)
                guard answers == 1 else { continue }
                // NOERROR, no external chain, no authority zone.
                putDescriptor(
                    type: entry.type.rawValue, rcode: 0, start: at + Self.descriptorSize, length: entry.answerLength,
                    cutCount: entry.cutCount, counts: entry.counts, externalChain: -1, authorityZone: -1)
                entry.writeAnswer(into: base + at)
                entry.forEachCut { cuts.append($0) }
                at += entry.answerLength
            }
            precondition(at == totals.records, "a shard's records fill exactly the size counted")
            initialized = at
        }
        // Twice as many slots as names, not the next power of two: that was 2 to 4 times as many
        // at the same greatest load, one half. A slot is 8 bytes, the name's hash beside its
        // record, so a probe passing other names never reads their records.
        let size = max(8, placed.count * 2)
        var slots = [UInt64](repeating: Self.emptySlot, count: size)
        for (hash, offset) in placed {
            var slot = Self.slot(of: hash, count: size)
            while slots[slot] != Self.emptySlot { slot = slot + 1 == size ? 0 : slot + 1 }
            slots[slot] = UInt64(hash) << 32 | UInt64(offset)
        }
        self.records = records
        self.suffix = suffix
        self.slots = slots
        self.cuts = cuts
        self.externalChains = externalChains
        self.count = placed.count
    }

    /// The typed answer that also answers ANY, when the answer to ANY equals one: it is then
    /// stored once.
    private static func typedAnswerToAny(of entry: CompiledEntry) -> Int? {
        guard let any = entry.any else { return nil }
        return entry.typed.firstIndex { $0.blob == any }
    }

    /// The answers a record stores, in its order: the typed ones, then the one for every other
    /// type, then the one to ANY unless it equals a typed one (`anySharesTyped`). Type 0 for the
    /// last two.
    private static func forEachStoredAnswer(
        of entry: CompiledEntry, anySharesTyped: Bool, _ body: (_ type: UInt16, _ blob: CompiledBlob) -> Void
    ) {
        for (type, blob) in entry.typed { body(type, blob) }
        if let other = entry.other { body(0, other) }
        if !anySharesTyped, let any = entry.any { body(0, any) }
    }

    /// The longest byte string that ends every entry's name (the root's zero byte at least). A
    /// name's bytes are its prefix and this, wherever the cut falls: equality is of whole names.
    static func commonSuffix(of names: some Sequence<[UInt8]>, _ moreNames: some Sequence<[UInt8]> = [[UInt8]]()) -> [UInt8] {
        var suffix: ArraySlice<UInt8>?
        func narrow(to name: [UInt8]) {
            guard let current = suffix else {
                suffix = name[...]
                return
            }
            var common = 0
            let limit = min(name.count, current.count)
            while common < limit, name[name.count - 1 - common] == current[current.endIndex - 1 - common] {
                common += 1
            }
            suffix = current.suffix(common)
        }
        for name in names {
            CoreSharing.checkpoint()
            narrow(to: name)
            if let suffix, suffix.count <= 1 { break }
        }
        for name in moreNames {
            CoreSharing.checkpoint()
            if let suffix, suffix.count <= 1 { break }
            narrow(to: name)
        }
        return suffix.map { Array($0) } ?? [0]
    }

    /// The slot a name with `hash` is looked for first, of `count`: the hash mixed (the reverse
    /// zones' shard is chosen by its top bits, which all of a shard's names share) and scaled
    /// to the table by a multiply, not a division.
    @inlinable
    static func slot(of hash: UInt32, count: Int) -> Int {
        Int((UInt64(hash &* 0x9E37_79B1) &* UInt64(count)) >> 32)
    }

    /// The entry whose name equals `name` (lower-cased wire form) with `hash`.
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
        return self.slots.withUnsafeBufferPointer { slots -> Int? in
            self.records.withUnsafeBytes { records -> Int? in
                guard let recordsBase = records.baseAddress else { return nil }
                let count = slots.count
                var slot = Self.slot(of: hash, count: count)
                while true {
                    let value = slots[slot]
                    if value == Self.emptySlot { return nil }
                    if UInt32(truncatingIfNeeded: value >> 32) == hash {
                        let offset = Int(UInt32(truncatingIfNeeded: value))
                        let record = recordsBase + offset
                        if Int(record.load(fromByteOffset: Self.nameLengthField, as: UInt8.self)) == prefixCount,
                            memcmpEqual(record + Self.headerSize, nameBase, prefixCount)
                        {
                            return offset
                        }
                    }
                    slot = slot + 1 == count ? 0 : slot + 1
                }
            }
        }
    }

    /// The answer (its descriptor) of `entry` for `qtype`; -1 for the zone's NODATA.
    @inlinable
    package func answerIndex(_ entry: Int, qtype: UInt16) -> Int {
        self.records.withUnsafeBytes { records -> Int in
            guard let base = records.baseAddress else { return -1 }
            let record = base + entry
            let first = entry + Self.headerSize + Int(record.load(fromByteOffset: Self.nameLengthField, as: UInt8.self))
            if qtype == RRType.any.rawValue {
                let any = UInt16(littleEndian: record.loadUnaligned(fromByteOffset: Self.anyField, as: UInt16.self))
                return any == Self.noAnswer ? -1 : first + Int(any) * Self.descriptorSize
            }
            let typesCount = Int(UInt16(littleEndian: record.loadUnaligned(fromByteOffset: Self.typesField, as: UInt16.self)))
            var descriptor = first
            for _ in 0..<typesCount {
                if UInt16(littleEndian: (base + descriptor).loadUnaligned(as: UInt16.self)) == qtype { return descriptor }
                descriptor += Self.descriptorSize
            }
            let flags = record.load(fromByteOffset: Self.flagsField, as: UInt8.self)
            return flags & Self.hasOtherFlag != 0 ? descriptor : -1
        }
    }

    /// The answer whose descriptor is at `descriptor`.
    @inlinable
    package func answer(at descriptor: Int) -> Answer {
        self.records.withUnsafeBytes { records -> Answer in
            let field = records.baseAddress! + descriptor
            func u16(_ offset: Int) -> UInt16 { UInt16(littleEndian: field.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
            func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: field.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
            let start = Int(u32(4))
            let cutStart = Int(u32(12))
            return Answer(
                type: u16(0), rcode: field.load(fromByteOffset: 2, as: UInt8.self),
                bytes: start..<(start + Int(u32(8))), cuts: cutStart..<(cutStart + Int(u16(16))),
                answerCount: u16(18), authorityCount: u16(20), additionalCount: u16(22),
                externalChain: Int32(bitPattern: u32(24)), authorityZone: Int32(bitPattern: u32(28)))
        }
    }

    /// The zone number of `entry`.
    @inlinable
    package func zone(at entry: Int) -> Int {
        Int(UInt16(littleEndian: self.records.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: entry + Self.zoneField, as: UInt16.self) }))
    }

    /// Every entry, in the order the shard was built from.
    package var entryList: [Int] {
        var list: [Int] = []
        list.reserveCapacity(self.count)
        var offset = 0
        while offset < self.records.count {
            list.append(offset)
            offset = self.recordEnd(offset)
        }
        return list
    }

    /// Where the record of `entry` ends: after its last answer's bytes, or after its name when
    /// it has no answers.
    private func recordEnd(_ entry: Int) -> Int {
        let first = entry + Self.headerSize + Int(self.records[entry + Self.nameLengthField])
        let count = self.header(entry, Self.answersField)
        guard count > 0 else { return first }
        return self.answer(at: first + (count - 1) * Self.descriptorSize).bytes.upperBound
    }

    /// The descriptors of `entry`, by offset.
    private func descriptors(of entry: Int) -> StrideTo<Int> {
        let first = entry + Self.headerSize + Int(self.records[entry + Self.nameLengthField])
        let count = self.header(entry, Self.answersField)
        return stride(from: first, to: first + count * Self.descriptorSize, by: Self.descriptorSize)
    }

    /// A 16-bit field of the header of `entry`.
    private func header(_ entry: Int, _ field: Int) -> Int {
        Int(self.records[entry + field]) | Int(self.records[entry + field + 1]) << 8
    }

    /// The descriptors of the typed answers of `entry`, by offset.
    package func typedDescriptors(of entry: Int) -> StrideTo<Int> {
        let first = entry + Self.headerSize + Int(self.records[entry + Self.nameLengthField])
        return stride(from: first, to: first + self.header(entry, Self.typesField) * Self.descriptorSize, by: Self.descriptorSize)
    }

    /// The name of `entry` without the suffix, lower-cased wire bytes.
    package func namePrefix(at entry: Int) -> ArraySlice<UInt8> {
        let start = entry + Self.headerSize
        return self.records[start..<(start + Int(self.records[entry + Self.nameLengthField]))]
    }

    /// The entries again, as values (to build a changed shard from this one).
    package func entries() -> [CompiledEntry] {
        self.entryList.map { offset in
            var entry = CompiledEntry(name: Array(self.namePrefix(at: offset)) + self.suffix, zone: self.zone(at: offset))
            let descriptors = Array(self.descriptors(of: offset))
            let typesCount = self.header(offset, Self.typesField)
            for descriptor in descriptors[0..<typesCount] {
                entry.typed.append((self.answer(at: descriptor).type, self.blob(descriptor)))
            }
            if self.records[offset + Self.flagsField] & Self.hasOtherFlag != 0 { entry.other = self.blob(descriptors[typesCount]) }
            let any = self.header(offset, Self.anyField)
            if any != Int(Self.noAnswer) { entry.any = self.blob(descriptors[any]) }
            return entry
        }
    }

    /// The answer whose descriptor is at `descriptor`, as a value.
    package func blob(_ descriptor: Int) -> CompiledBlob {
        let answer = self.answer(at: descriptor)
        return CompiledBlob(
            rcode: answer.rcode, bytes: Array(self.records[answer.bytes]),
            answerCount: answer.answerCount, authorityCount: answer.authorityCount,
            additionalCount: answer.additionalCount, cuts: Array(self.cuts[answer.cuts]),
            externalChain: answer.externalChain >= 0 ? self.externalChains[Int(answer.externalChain)] : nil,
            authorityZone: answer.authorityZone >= 0 ? Int(answer.authorityZone) : nil)
    }

    /// Answers stored (an ANY equal to a typed answer counted once), and their bytes.
    package var storedAnswers: (count: Int, bytes: Int) {
        var totals = (count: 0, bytes: 0)
        for entry in self.entryList {
            for descriptor in self.descriptors(of: entry) {
                totals.count += 1
                totals.bytes += self.answer(at: descriptor).bytes.count
            }
        }
        return totals
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
