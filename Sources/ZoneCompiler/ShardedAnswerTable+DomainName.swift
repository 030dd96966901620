import DNSWire

extension ShardedAnswerTable {
    /// The zone holding `name`, for code off the query path that has a `DomainName` rather
    /// than the query parser's lower-cased buffer.
    package func zone(containing name: DomainName) -> Int? {
        let lowered = name.lowercased.wire
        var labelStarts: [UInt8] = []
        var index = 0
        while index < lowered.count, lowered[index] != 0 {
            labelStarts.append(UInt8(truncatingIfNeeded: index))
            index += 1 + Int(lowered[index])
        }
        return lowered.withUnsafeBytes { bytes in
            labelStarts.withUnsafeBufferPointer { self.zone(containing: bytes, labelStarts: $0) }
        }
    }
}
