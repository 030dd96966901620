extension WireRecord {
    /// The record with `transform` applied to its owner and to each name in its rdata (for the
    /// types `MessageParser` decompresses, whose rdata holds names at known places). Rdata that
    /// does not read as its type's layout is left as it is.
    package func mappingNames(_ transform: (DomainName) -> DomainName) -> WireRecord {
        var copy = self
        copy.owner = transform(self.owner)
        guard let parts = MessageParser.namesInRdata[self.type.rawValue] else { return copy }
        var rdata: [UInt8] = []
        var offset = 0
        for part in parts {
            switch part {
            case .name:
                let read: (DomainName, Int)? = self.rdata.withUnsafeBytes { bytes in
                    try? MessageParser.readName(UnsafeRawBufferPointer(rebasing: bytes[offset...]), at: 0)
                }
                guard let (name, length) = read else { return copy }
                rdata += transform(name).wire
                offset += length
            case .fixed(let count):
                guard offset + count <= self.rdata.count else { return copy }
                rdata += self.rdata[offset..<(offset + count)]
                offset += count
            }
        }
        rdata += self.rdata[offset...]
        copy.rdata = rdata
        return copy
    }
}
