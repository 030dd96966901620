import DNSWire

extension ShardedAnswerTable {
    /// The zone holding `name`, for code off the query path that has a `DomainName` rather
    /// than the query parser's lower-cased buffer.
    package func zone(containing name: DomainName) -> Int? {
        let lowered = name.lowercased.wire
        let labelStarts = Self.labelStarts(lowered)
        return lowered.withUnsafeBytes { bytes in
            labelStarts.withUnsafeBufferPointer { self.zone(containing: bytes, labelStarts: $0) }
        }
    }

    /// The RRsets `name` owns, read back from the compiled answers (empty for a name that exists
    /// without data); nil when the name does not exist in our zones. Off the query path.
    package func rrsets(of name: DomainName) -> [(type: RRType, records: [ResourceRecord])]? {
        let lowered = name.lowercased.wire
        let labelStarts = Self.labelStarts(lowered)
        let hash = NameHash.hash(lowered)
        return lowered.withUnsafeBytes { bytes -> [(type: RRType, records: [ResourceRecord])]? in
            labelStarts.withUnsafeBufferPointer { starts in
                guard let zone = self.zone(containing: bytes, labelStarts: starts),
                    let shard = self.shard(for: bytes, hash: hash, zone: zone, labelStarts: starts),
                    let entry = shard.find(bytes, hash: hash)
                else { return nil }
                return shard.rrsets(at: entry)
            }
        }
    }

    /// Where each label of a wire name starts, as the query parser gives them.
    private static func labelStarts(_ wire: [UInt8]) -> [UInt8] {
        var starts: [UInt8] = []
        var index = 0
        while index < wire.count, wire[index] != 0 {
            starts.append(UInt8(truncatingIfNeeded: index))
            index += 1 + Int(wire[index])
        }
        return starts
    }
}
