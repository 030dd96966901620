import IPAddressing
import Manifests

/// The blocks of one address family that addresses are allocated from (a cluster with the
/// ServiceCIDR API may have several per family): new addresses come from the first block with
/// room, and an address is taken wherever it lies.
struct AddressPool {
    private var allocators: [AddressAllocator]

    init(networks: [IPNetwork], takenElsewhere: @escaping @Sendable (IPAddress) -> Bool = { _ in false }) {
        self.allocators = networks.map { AddressAllocator(network: $0, takenElsewhere: takenElsewhere) }
    }

    /// One pool per family present in `networks`.
    static func byFamily(
        _ networks: [IPNetwork], takenElsewhere: @escaping @Sendable (IPAddress) -> Bool = { _ in false }
    ) -> [IPAddress.Family: AddressPool] {
        var pools: [IPAddress.Family: AddressPool] = [:]
        for family in [IPAddress.Family.ipv4, .ipv6] {
            let blocks = networks.filter { $0.family == family }
            if !blocks.isEmpty { pools[family] = AddressPool(networks: blocks, takenElsewhere: takenElsewhere) }
        }
        return pools
    }

    /// Marks an explicit address as used when it lies in one of the blocks (an address outside
    /// them is nobody's to hand out).
    mutating func reserve(_ address: IPAddress) {
        guard let index = self.allocators.firstIndex(where: { $0.network.contains(address) }) else { return }
        _ = self.allocators[index].reserve(address)
    }

    func isTaken(_ address: IPAddress) -> Bool {
        self.allocators.first { $0.network.contains(address) }?.isTaken(address) ?? false
    }

    /// The address for `key`: its hint when still free, else a new one (from the hint's block
    /// first, then from the first block with room); nil when every block is full.
    mutating func allocate(_ key: String, hint: IPAddress?) -> IPAddress? {
        // A hint keeps its block: the hint itself when free, else another address of that block.
        if let hint, let index = self.allocators.firstIndex(where: { $0.network.contains(hint) }),
            let address = self.allocators[index].allocate(key, hint: hint)
        {
            return address
        }
        for index in self.allocators.indices {
            if let address = self.allocators[index].allocate(key, hint: nil) { return address }
        }
        return nil
    }
}
