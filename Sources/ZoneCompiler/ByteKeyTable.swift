import CoreSharing

/// Byte strings (lower-cased wire names or labels) to small numbers: a flat open-addressing
/// table over one byte arena, so that a lookup on the query path allocates nothing.
package struct ByteKeyTable: Sendable {
    private var bytes: [UInt8] = []
    private var entries: [(offset: UInt32, length: UInt16, hash: UInt32, value: Int32)] = []
    private var slots: [Int32] = [-1]

    package init(_ keys: [(key: [UInt8], value: Int)]) {
        for (key, value) in keys {
            CoreSharing.checkpoint()
            self.entries.append((UInt32(self.bytes.count), UInt16(key.count), NameHash.hash(key), Int32(value)))
            self.bytes += key
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

    /// The value of `key`, nil when absent.
    package func find(_ key: UnsafeRawBufferPointer) -> Int? {
        let hash = NameHash.hash(key)
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let index = Int(self.slots[slot])
            if index < 0 { return nil }
            let entry = self.entries[index]
            if entry.hash == hash, Int(entry.length) == key.count {
                let matches = self.bytes.withUnsafeBytes { arena -> Bool in
                    guard let arenaBase = arena.baseAddress, let keyBase = key.baseAddress else { return key.isEmpty }
                    return memcmpEqual(arenaBase + Int(entry.offset), keyBase, key.count)
                }
                if matches { return Int(entry.value) }
            }
            slot = (slot + 1) & mask
        }
    }
}
