import IPAddressing

extension RData {
    /// The rdata of a record of `type` read back from its uncompressed wire form (what
    /// `MessageParser` gives), for the types ClusterDNS generates and MX; nil for another type or
    /// a malformed rdata.
    package init?(type: RRType, uncompressed bytes: [UInt8]) {
        func name(at offset: Int) -> (DomainName, Int)? {
            var index = offset
            while index < bytes.count, bytes[index] != 0 {
                index += 1 + Int(bytes[index])
            }
            guard index < bytes.count, index + 1 - offset <= 255 else { return nil }
            return (DomainName(uncheckedWire: Array(bytes[offset...index])), index + 1)
        }
        func u16(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }
        func u32(_ offset: Int) -> UInt32 { UInt32(u16(offset)) << 16 | UInt32(u16(offset + 2)) }
        switch type {
        case .a:
            guard bytes.count == 4 else { return nil }
            self = .a(IPAddress(ipv4: u32(0)))
        case .aaaa:
            guard bytes.count == 16 else { return nil }
            self = .aaaa(IPAddress(ipv6: UInt64(u32(0)) << 32 | UInt64(u32(4)), UInt64(u32(8)) << 32 | UInt64(u32(12))))
        case .ns, .cname, .ptr:
            guard let (target, end) = name(at: 0), end == bytes.count else { return nil }
            self = type == .ns ? .ns(target) : type == .cname ? .cname(target) : .ptr(target)
        case .txt:
            var strings: [[UInt8]] = []
            var offset = 0
            while offset < bytes.count {
                let length = Int(bytes[offset])
                guard offset + 1 + length <= bytes.count else { return nil }
                strings.append(Array(bytes[(offset + 1)..<(offset + 1 + length)]))
                offset += 1 + length
            }
            self = .txt(strings)
        case .srv:
            guard bytes.count > 6, let (target, end) = name(at: 6), end == bytes.count else { return nil }
            self = .srv(priority: u16(0), weight: u16(2), port: u16(4), target: target)
        case .soa:
            guard let (mname, afterMname) = name(at: 0), let (rname, afterRname) = name(at: afterMname),
                afterRname + 20 == bytes.count
            else { return nil }
            self = .soa(
                mname: mname, rname: rname, serial: u32(afterRname), refresh: u32(afterRname + 4),
                retry: u32(afterRname + 8), expire: u32(afterRname + 12), minimum: u32(afterRname + 16))
        case .mx:
            guard bytes.count > 2, let (exchange, end) = name(at: 2), end == bytes.count else { return nil }
            self = .mx(preference: u16(0), exchange: exchange)
        default:
            return nil
        }
    }
}
