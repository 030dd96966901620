import IPAddressing

extension RData {
    /// The A or AAAA record of `address`, by its family.
    package init(address: IPAddress) {
        self = address.family == .ipv4 ? .a(address) : .aaaa(address)
    }

    /// The address an A or AAAA record holds.
    package var address: IPAddress? {
        switch self {
        case .a(let address), .aaaa(let address): return address
        default: return nil
        }
    }
}
