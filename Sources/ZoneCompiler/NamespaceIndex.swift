/// Namespace labels (length-prefixed, lower-cased) to shard numbers: a flat open-addressing
/// table, so that routing a query allocates nothing.
package struct NamespaceIndex: Sendable {
    private var bytes: [UInt8] = []
    private var entries: [(offset: UInt32, length: UInt16, hash: UInt32, shard: Int32)] = []
    private var slots: [Int32] = [-1]

    package init(_ namespaces: [(label: [UInt8], shard: Int)]) {
        for (label, shard) in namespaces {
            self.entries.append((UInt32(self.bytes.count), UInt16(label.count), NameHash.hash(label), Int32(shard)))
            self.bytes += label
        }
        var size = 8
        while size < self.entries.count * 2 { size <<= 1 }
        self.slots = [Int32](repeating: -1, count: size)
        for (index, entry) in self.entries.enumerated() {
            var slot = Int(entry.hash) & (size - 1)
            while self.slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            self.slots[slot] = Int32(index)
        }
    }

    /// The shard of a length-prefixed lower-cased label.
    package func find(_ label: UnsafeRawBufferPointer) -> Int? {
        let hash = NameHash.hash(label)
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let index = Int(self.slots[slot])
            if index < 0 { return nil }
            let entry = self.entries[index]
            if entry.hash == hash, Int(entry.length) == label.count {
                let matches = self.bytes.withUnsafeBytes { arena -> Bool in
                    guard let arenaBase = arena.baseAddress, let labelBase = label.baseAddress else { return false }
                    return memcmpEqual(arenaBase + Int(entry.offset), labelBase, label.count)
                }
                if matches { return Int(entry.shard) }
            }
            slot = (slot + 1) & mask
        }
    }
}
