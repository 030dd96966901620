import DNSWire

/// Every name of the snapshot with its compiled answers, in flat arrays: an open-addressing hash
/// table over a byte arena of lower-cased wire names. Answering is a hash probe, a byte compare
/// and a copy — no allocation, no dictionary of arrays.
package struct AnswerTable: Sendable {
    /// One owner name (empty non-terminals included).
    package struct NameEntry: Sendable {
        package var offset: UInt32
        package var length: UInt16
        package var zone: UInt16
        package var hash: UInt32
        /// Typed answers: `typeKeys[typesStart ..< typesStart + typesCount]`.
        package var typesStart: UInt32
        package var typesCount: UInt16
        /// The answer for any other type: the zone's NODATA, or a CNAME chain's default.
        package var defaultAnswer: UInt32
        /// The answer to QTYPE=ANY (RFC 8482: one RRset, never an empty NOERROR when data exists).
        package var anyAnswer: UInt32
    }

    /// One zone: its apex (lower-cased wire) and its shared negative answers.
    package struct ZoneEntry: Sendable {
        package var apex: [UInt8]
        package var name: DomainName
        package var nameError: UInt32
        package var noData: UInt32
    }

    package var nameBytes: [UInt8] = []
    package var names: [NameEntry] = []
    package var typeKeys: [UInt16] = []
    package var typeAnswers: [UInt32] = []
    package var slots: [Int32] = []
    package var answers: [CompiledAnswer] = []
    package var bytes: [UInt8] = []
    package var cuts: [CutPoint] = []
    package var zones: [ZoneEntry] = []
    /// Names outside our zones that CNAME chains end at (ExternalName targets).
    package var externalTargets: [DomainName] = []

    package init() {}

    /// The index of the entry whose name equals `name` (lower-cased wire form) with `hash`.
    @inlinable
    package func find(_ name: UnsafeRawBufferPointer, hash: UInt32) -> Int? {
        guard !self.slots.isEmpty else { return nil }
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let index = Int(self.slots[slot])
            if index < 0 { return nil }
            let entry = self.names[index]
            if entry.hash == hash, Int(entry.length) == name.count {
                let matches = self.nameBytes.withUnsafeBytes { arena -> Bool in
                    guard let arenaBase = arena.baseAddress, let nameBase = name.baseAddress else { return false }
                    return memcmpEqual(arenaBase + Int(entry.offset), nameBase, name.count)
                }
                if matches { return index }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The answer of `entry` for `qtype`.
    @inlinable
    package func answerIndex(_ entryIndex: Int, qtype: UInt16) -> Int {
        let entry = self.names[entryIndex]
        if qtype == RRType.any.rawValue { return Int(entry.anyAnswer) }
        let start = Int(entry.typesStart)
        for index in start..<(start + Int(entry.typesCount)) where self.typeKeys[index] == qtype {
            return Int(self.typeAnswers[index])
        }
        return Int(entry.defaultAnswer)
    }

    /// The zone whose apex is the longest suffix of `name` (lower-cased wire), given the offsets
    /// where its labels start; nil when the name is outside every zone.
    package func zone(containing name: UnsafeRawBufferPointer, labelStarts: UnsafeBufferPointer<UInt8>) -> Int? {
        var best: Int?
        var bestLength = -1
        for (index, zone) in self.zones.enumerated() where zone.apex.count <= name.count && zone.apex.count > bestLength {
            let offset = name.count - zone.apex.count
            guard offset == 0 || labelStarts.contains(UInt8(truncatingIfNeeded: offset)) else { continue }
            let matches = zone.apex.withUnsafeBytes { apex -> Bool in
                guard let nameBase = name.baseAddress, let apexBase = apex.baseAddress else { return false }
                return memcmpEqual(nameBase + offset, apexBase, apex.count)
            }
            if matches {
                best = index
                bestLength = zone.apex.count
            }
        }
        return best
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
