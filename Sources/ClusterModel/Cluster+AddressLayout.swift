import IPAddressing
import Manifests

extension Cluster {
    /// The /24 (IPv4) and /64 (IPv6) blocks holding the cluster's addresses (cluster IPs, pod
    /// and endpoint addresses) that lie outside every one of `ranges`, sorted.
    package func blocks(outside ranges: [IPNetwork]) -> [IPNetwork] {
        var blocks: Set<IPNetwork> = []
        func note(_ address: IPAddress) {
            guard !ranges.contains(where: { $0.contains(address) }) else { return }
            blocks.insert(IPNetwork.coveringBlock(of: address))
        }
        for partition in self.partitions.values {
            for service in partition.services {
                service.clusterIPs.forEach(note)
                for endpoint in service.endpoints { endpoint.addresses.forEach(note) }
            }
            for pod in partition.pods { pod.ips.forEach(note) }
        }
        return blocks.sorted { ($0.address, $0.prefixLength) < ($1.address, $1.prefixLength) }
    }
}
