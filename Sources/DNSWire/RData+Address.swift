import IPAddressing

extension RData {
    /// The address an A or AAAA record holds.
    package var address: IPAddress? {
        switch self {
        case .a(let bytes) where bytes.count == 4:
            return IPAddress(ipv4: bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        case .aaaa(let bytes) where bytes.count == 16:
            let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return IPAddress(ipv6: high, low)
        default:
            return nil
        }
    }
}
