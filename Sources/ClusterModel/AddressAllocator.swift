import IPAddressing
import Manifests

/// Hands out addresses from one CIDR block deterministically: an identity's first choice is a
/// hash of it, probing forward on collision. Explicit addresses are reserved first, then
/// previous allocations (hints) are kept, then new identities are placed in sorted order.
struct AddressAllocator {
    let network: IPNetwork
    private var taken: Set<IPAddress> = []
    /// Addresses held elsewhere (other namespaces, in a partial derivation).
    private let takenElsewhere: @Sendable (IPAddress) -> Bool
    /// Offsets 1 ..< usable+1 are handed out: never the network address, nor the IPv4 broadcast.
    private let usable: UInt64

    init(network: IPNetwork, takenElsewhere: @escaping @Sendable (IPAddress) -> Bool = { _ in false }) {
        self.network = network
        self.takenElsewhere = takenElsewhere
        let size = network.size
        if network.family == .ipv4 {
            self.usable = size > 2 ? size - 2 : size
        } else {
            self.usable = size > 1 ? size - 1 : size
        }
    }

    /// Marks an explicit address as used; false when it was already taken.
    mutating func reserve(_ address: IPAddress) -> Bool {
        self.taken.insert(address).inserted
    }

    func isTaken(_ address: IPAddress) -> Bool { self.taken.contains(address) || self.takenElsewhere(address) }

    /// The address for `key`: its hint when still free and inside the block, else the first free
    /// address probing from the key's hash. nil when the block is full.
    mutating func allocate(_ key: String, hint: IPAddress?) -> IPAddress? {
        if let hint, self.network.contains(hint), hint != self.network.address, !self.isTaken(hint) {
            self.taken.insert(hint)
            return hint
        }
        guard self.usable > 0, UInt64(self.taken.count) < self.usable else { return nil }
        var offset = StableHash.fnv1a(key) % self.usable
        for _ in 0..<min(self.usable, 1 << 24) {
            let candidate = self.network.address(at: offset + 1)
            if !self.isTaken(candidate) {
                self.taken.insert(candidate)
                return candidate
            }
            offset = (offset + 1) % self.usable
        }
        return nil
    }
}
