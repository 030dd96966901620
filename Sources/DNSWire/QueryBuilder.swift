/// Builds query messages: for tests, tools and the forwarder.
package enum QueryBuilder {
    /// A query for `name`/`type` of class IN with header `id` and `flags` (RD by default), and an
    /// OPT record when `payloadSize` is given (`ednsVersion`, DO bit `dnssecOK`, raw `options`).
    package static func query(
        _ name: DomainName, _ type: RRType, id: UInt16 = 0x1234, flags: UInt16 = HeaderFlags.recursionDesired.rawValue, qclass: UInt16 = 1,
        payloadSize: UInt16? = nil, ednsVersion: UInt8 = 0, dnssecOK: Bool = false, options: [UInt8] = []
    ) -> [UInt8] {
        var writer = WireWriter(compression: false)
        writer.writeUInt16(id)
        writer.writeUInt16(flags)
        writer.writeUInt16(1)
        writer.writeUInt16(0)
        writer.writeUInt16(0)
        writer.writeUInt16(payloadSize == nil ? 0 : 1)
        writer.writeName(name)
        writer.writeUInt16(type.rawValue)
        writer.writeUInt16(qclass)
        if let payloadSize {
            writer.writeUInt8(0)
            writer.writeUInt16(RRType.opt.rawValue)
            writer.writeUInt16(payloadSize)
            writer.writeUInt8(0)
            writer.writeUInt8(ednsVersion)
            writer.writeUInt16(dnssecOK ? 0x8000 : 0)
            writer.writeUInt16(UInt16(options.count))
            writer.writeBytes(options)
        }
        return writer.bytes
    }
}
