/// Zone apexes (lower-cased wire) to zone numbers, for finding the zone of a query name with a
/// few hash probes whatever the number of zones: one probe per distinct apex length in labels,
/// longest first, so the deepest zone wins (RFC 1034 §4.3.2 step 2). A flat open-addressing table:
/// routing a query allocates nothing.
package struct ZoneIndex: Sendable {
    private var table = ByteKeyTable([])
    /// The apexes' label counts, distinct, longest first.
    private var labelCounts: [Int] = []
    /// Zone 0's apex, checked first: most queries are for the cluster zone.
    private var firstApex: [UInt8] = []
    /// No other zone lies below zone 0's apex, so a name under it is in zone 0.
    private var firstZoneIsLeaf = true

    /// - Parameter apexes: each zone's apex (lower-cased wire), by zone number; nil for a number
    ///   that holds no zone.
    package init(_ apexes: [[UInt8]?]) {
        var counts: Set<Int> = []
        var keys: [(key: [UInt8], value: Int)] = []
        for (zone, apex) in apexes.enumerated() {
            guard let apex else { continue }
            keys.append((apex, zone))
            counts.insert(Self.labelCount(apex))
        }
        self.table = ByteKeyTable(keys)
        self.labelCounts = counts.sorted(by: >)
        if let first = apexes.first, let first {
            self.firstApex = first
            self.firstZoneIsLeaf = !apexes.dropFirst().contains { apex in
                guard let apex, apex.count > first.count else { return false }
                return apex.suffix(first.count).elementsEqual(first) && Self.isLabelBoundary(apex, at: apex.count - first.count)
            }
        }
    }

    /// The zone whose apex is the longest suffix of `name` (lower-cased wire), given the offsets
    /// where its labels start; nil when the name is outside every zone.
    package func zone(containing name: UnsafeRawBufferPointer, labelStarts: UnsafeBufferPointer<UInt8>) -> Int? {
        if self.firstZoneIsLeaf, !self.firstApex.isEmpty, self.firstApex.count <= name.count {
            let offset = name.count - self.firstApex.count
            if offset == 0 || labelStarts.contains(UInt8(truncatingIfNeeded: offset)) {
                let matches = self.firstApex.withUnsafeBytes { apex -> Bool in
                    guard let nameBase = name.baseAddress, let apexBase = apex.baseAddress else { return false }
                    return memcmpEqual(nameBase + offset, apexBase, apex.count)
                }
                if matches { return 0 }
            }
        }
        let labels = labelStarts.count
        for count in self.labelCounts where count <= labels {
            let offset = count == 0 ? name.count - 1 : Int(labelStarts[labels - count])
            let suffix = UnsafeRawBufferPointer(rebasing: name[offset...])
            if let zone = self.find(suffix) { return zone }
        }
        return nil
    }

    /// The zone with exactly this apex (lower-cased wire).
    package func find(_ apex: UnsafeRawBufferPointer) -> Int? { self.table.find(apex) }

    private static func labelCount(_ wire: [UInt8]) -> Int {
        var count = 0
        var index = 0
        while index < wire.count, wire[index] != 0 {
            count += 1
            index += 1 + Int(wire[index])
        }
        return count
    }

    private static func isLabelBoundary(_ wire: [UInt8], at offset: Int) -> Bool {
        var index = 0
        while index < offset { index += 1 + Int(wire[index]) }
        return index == offset
    }
}
