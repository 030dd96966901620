/// A CIDR block such as `10.96.0.0/12` or `fd00:10:96::/112`: where cluster IPs and pod IPs are
/// allocated from.
package struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    package var address: IPAddress
    package var prefixLength: Int

    /// Parses `ADDR/BITS`; the address is masked to the network address.
    package init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(parts[0]), let bits = Int(parts[1]) else { return nil }
        let maximum = address.family == .ipv4 ? 32 : 128
        guard (0...maximum).contains(bits) else { return nil }
        self.init(address: address, prefixLength: bits)
    }

    package init(address: IPAddress, prefixLength: Int) {
        self.prefixLength = prefixLength
        self.address = Self.mask(address, prefixLength)
    }

    package var family: IPAddress.Family { self.address.family }

    package var description: String { "\(self.address)/\(self.prefixLength)" }

    /// Number of host bits.
    package var hostBits: Int { (self.family == .ipv4 ? 32 : 128) - self.prefixLength }

    /// How many addresses the block holds, capped at 2^63 (more than any allocator will use).
    package var size: UInt64 { self.hostBits >= 63 ? UInt64(1) << 63 : UInt64(1) << UInt64(self.hostBits) }

    package func contains(_ candidate: IPAddress) -> Bool {
        candidate.family == self.family && Self.mask(candidate, self.prefixLength) == self.address
    }

    /// The block that stands for an address outside every configured block, in reverse zones
    /// and summaries: its /24 (IPv4) or /64 (IPv6), the units in which address space is
    /// most often assigned and reverse zones delegated.
    package static func coveringBlock(of address: IPAddress) -> IPNetwork {
        IPNetwork(address: address, prefixLength: address.family == .ipv4 ? 24 : 64)
    }

    /// The address `offset` places after the network address.
    package func address(at offset: UInt64) -> IPAddress { self.address.advanced(by: offset) }

    private static func mask(_ address: IPAddress, _ bits: Int) -> IPAddress {
        var result = address
        switch address.family {
        case .ipv4:
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << UInt32(32 - bits)
            result.low = UInt64(address.ipv4Value & mask)
        case .ipv6:
            if bits <= 64 {
                result.high = bits == 0 ? 0 : address.high & (~UInt64(0) << UInt64(64 - bits))
                result.low = 0
            } else {
                result.low = bits == 128 ? address.low : address.low & (~UInt64(0) << UInt64(128 - bits))
            }
        }
        return result
    }
}
