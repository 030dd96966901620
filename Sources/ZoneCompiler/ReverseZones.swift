import DNSWire
import IPAddressing
import Manifests

/// The reverse zones ClusterDNS is authoritative for. They are the blocks addresses are
/// allocated from (service and pod ranges, given or default), on the octet (in-addr.arpa) or
/// nibble (ip6.arpa) boundaries a zone needs (RFC 2317 aside), and, for each address outside
/// them, its /24 or /64. So the number of zones follows the address layout, never the number
/// of addresses, and an address's zone is found by a few hash probes, never by a scan.
package struct ReverseZones: Sendable {
    /// The zones covering the allocation ranges, sorted by apex.
    package let coveringBlocks: [IPNetwork]
    private let covering: Set<IPNetwork>
    /// The prefix lengths of the covering blocks, per family, longest first.
    private let prefixLengths: [IPAddress.Family: [Int]]
    /// The /24s and /64s a covering block lies inside (a /32 of a /28 range).
    private let shadowedBlocks: Set<IPNetwork>

    package init(covering networks: [IPNetwork]) {
        let blocks = Self.blocks(covering: networks)
        self.coveringBlocks = blocks
        self.covering = Set(blocks)
        var lengths: [IPAddress.Family: Set<Int>] = [:]
        for block in blocks { lengths[block.family, default: []].insert(block.prefixLength) }
        self.prefixLengths = lengths.mapValues { $0.sorted(by: >) }
        self.shadowedBlocks = Set(
            blocks.lazy.map { ($0, IPNetwork.coveringBlock(of: $0.address)) }.filter { $0.prefixLength > $1.prefixLength }.map(\.1))
    }

    /// The zone holding the PTR record of `address`: the covering block it lies in, else its /24
    /// (IPv4) or /64 (IPv6).
    package func block(for address: IPAddress) -> (block: IPNetwork, isCovering: Bool) {
        for length in self.prefixLengths[address.family] ?? [] {
            let candidate = IPNetwork(address: address, prefixLength: length)
            if self.covering.contains(candidate) { return (candidate, true) }
        }
        return (IPNetwork.coveringBlock(of: address), false)
    }

    /// Whether every address in `block`, a zone `block(for:)` gave, has it for its zone: then an
    /// address it holds needs no hash probes (addresses taken in sorted order mostly share their
    /// predecessor's zone). Covering blocks never nest (`blocks(covering:)` keeps the outermost);
    /// a /24 or /64 is whole unless a covering block lies inside it.
    package func isWholeZone(_ block: IPNetwork, isCovering: Bool) -> Bool {
        isCovering || !self.shadowedBlocks.contains(block)
    }

    /// The apexes of the covering zones, sorted.
    package var coveringApexes: [DomainName] { self.coveringBlocks.map(Self.apex(of:)).sorted() }

    /// The apex of an octet- or nibble-aligned block: `244.10.in-addr.arpa.` for 10.244.0.0/16.
    package static func apex(of block: IPNetwork) -> DomainName {
        let unit = block.family == .ipv4 ? 8 : 4
        return Self.name(block.address, labels: block.prefixLength / unit)
    }

    /// The zone apexes covering `networks` (for tools and tests).
    package static func apexes(covering networks: [IPNetwork]) -> [DomainName] {
        ReverseZones(covering: networks).coveringApexes
    }

    /// Octet- or nibble-aligned blocks covering `networks`. A prefix off a boundary is split into
    /// the blocks of the next boundary when that gives at most 256 (10.96.0.0/12 → 10.96.0.0/16 …
    /// 10.111.0.0/16), else widened to the boundary below. Blocks inside other blocks are dropped.
    static func blocks(covering networks: [IPNetwork]) -> [IPNetwork] {
        var blocks: Set<IPNetwork> = []
        for network in networks {
            let unit = network.family == .ipv4 ? 8 : 4
            let prefix = network.prefixLength
            if prefix % unit == 0 {
                blocks.insert(network)
                continue
            }
            let next = (prefix / unit + 1) * unit
            let count = 1 << (next - prefix)
            if count <= 256 {
                let hostBits = (network.family == .ipv4 ? 32 : 128) - next
                for index in 0..<count {
                    blocks.insert(IPNetwork(address: Self.add(network.address, UInt64(index), shiftedBy: hostBits), prefixLength: next))
                }
            } else {
                blocks.insert(IPNetwork(address: network.address, prefixLength: prefix / unit * unit))
            }
        }
        let outermost = blocks.filter { block in
            !blocks.contains { $0 != block && $0.prefixLength < block.prefixLength && $0.contains(block.address) }
        }
        return outermost.sorted { Self.apex(of: $0) < Self.apex(of: $1) }
    }

    /// The reverse name of `address` cut to its first `labels` octets or nibbles.
    static func name(_ address: IPAddress, labels: Int) -> DomainName {
        let full = address.reverseName.split(separator: ".").map(String.init)
        let suffixLength = 2  // in-addr.arpa / ip6.arpa
        let addressLabels = full.count - suffixLength
        let kept = Array(full[(addressLabels - labels)...])
        return DomainName(labels: kept) ?? .root
    }

    private static func add(_ address: IPAddress, _ value: UInt64, shiftedBy bits: Int) -> IPAddress {
        if bits >= 64 {
            var result = address
            result.high &+= value << UInt64(bits - 64)
            return result
        }
        let (low, overflow) = address.low.addingReportingOverflow(value << UInt64(bits))
        var result = address
        result.low = low
        if overflow { result.high &+= 1 }
        return result
    }
}
