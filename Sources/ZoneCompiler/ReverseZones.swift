import DNSWire
import Manifests

/// The reverse zones ClusterDNS is authoritative for: those covering the service and pod CIDRs,
/// on the octet (in-addr.arpa) or nibble (ip6.arpa) boundaries delegation needs (RFC 2317 aside).
package enum ReverseZones {
    /// Zone apexes covering `networks`. A prefix off a boundary is split into the zones of the
    /// next boundary when that gives at most 256 zones (10.96.0.0/12 → 96.10 … 111.10.in-addr.arpa),
    /// else widened to the boundary below. Zones inside other zones are dropped.
    package static func apexes(covering networks: [IPNetwork]) -> [DomainName] {
        var names: [DomainName] = []
        for network in networks {
            let unit = network.family == .ipv4 ? 8 : 4
            let prefix = network.prefixLength
            if prefix % unit == 0 {
                names.append(Self.name(network.address, labels: prefix / unit))
                continue
            }
            let next = (prefix / unit + 1) * unit
            let count = 1 << (next - prefix)
            if count <= 256 {
                let hostBits = (network.family == .ipv4 ? 32 : 128) - next
                for index in 0..<count {
                    let address = Self.add(network.address, UInt64(index), shiftedBy: hostBits)
                    names.append(Self.name(address, labels: next / unit))
                }
            } else {
                names.append(Self.name(network.address, labels: prefix / unit))
            }
        }
        var unique: [DomainName] = []
        for name in Set(names).sorted() where !names.contains(where: { $0 != name && name.isSubdomain(of: $0) }) {
            unique.append(name)
        }
        return unique
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
