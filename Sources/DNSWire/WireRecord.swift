/// A record read from a message: owner, type, class, TTL and the rdata as it should be written
/// again — names inside rdata decompressed, so the bytes stand on their own.
package struct WireRecord: Sendable, Hashable {
    package var owner: DomainName
    package var type: RRType
    package var rrclass: UInt16
    package var ttl: UInt32
    /// Rdata in uncompressed form.
    package var rdata: [UInt8]

    package init(owner: DomainName, type: RRType, rrclass: UInt16 = 1, ttl: UInt32, rdata: [UInt8]) {
        self.owner = owner
        self.type = type
        self.rrclass = rrclass
        self.ttl = ttl
        self.rdata = rdata
    }
}
