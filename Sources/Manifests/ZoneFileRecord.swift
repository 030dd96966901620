/// One record of a zone file: wire-form owner and rdata (uncompressed), and the line it was on.
package struct ZoneFileRecord: Sendable, Hashable {
    package var owner: [UInt8]
    package var type: UInt16
    package var ttl: UInt32
    package var rdata: [UInt8]
    /// The line the record starts on (its first line when it spans several).
    package var line: Int

    package init(owner: [UInt8], type: UInt16, ttl: UInt32, rdata: [UInt8], line: Int) {
        self.owner = owner
        self.type = type
        self.ttl = ttl
        self.rdata = rdata
        self.line = line
    }
}
