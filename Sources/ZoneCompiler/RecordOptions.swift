import DNSWire
import IPAddressing
import Manifests

/// How records are made from the cluster: zone, TTL, SOA serial, pod records, the DNS service IP.
package struct RecordOptions: Sendable, Hashable {
    /// The cluster domain, e.g. `cluster.local.`.
    package var domain: DomainName
    /// TTL of every record, and the SOA minimum (the negative-caching TTL, RFC 2308 §5).
    package var ttl: UInt32
    package var serial: UInt32
    package var pods: PodRecordsMode
    /// Address of `ns.dns.<zone>` when the manifests hold no `kube-system/kube-dns` Service.
    package var dnsIP: IPAddress
    /// Blocks whose reverse zones are ours: the service and pod CIDRs.
    package var reverseCIDRs: [IPNetwork]
    /// `--autopath`: snapshots index pods by address, for the server to walk a pod's search list.
    package var autopath = false
    /// `--external-zone`: zones answering Services' external addresses and Ingress hosts.
    package var externalZones: [DomainName] = []

    package init(
        domain: DomainName = DomainName("cluster.local.") ?? .root, ttl: UInt32 = 5, serial: UInt32 = 1,
        pods: PodRecordsMode = .verified, dnsIP: IPAddress = IPAddress(ipv4: 0x0A60_000A),
        reverseCIDRs: [IPNetwork] = [
            IPNetwork(address: IPAddress(ipv4: 0x0A60_0000), prefixLength: 12),
            IPNetwork(address: IPAddress(ipv4: 0x0AF4_0000), prefixLength: 16),
        ]
    ) {
        self.domain = domain
        self.ttl = ttl
        self.serial = serial
        self.pods = pods
        self.dnsIP = dnsIP
        self.reverseCIDRs = reverseCIDRs
    }

    /// The name shapes under `domain`.
    package var names: ClusterNames { ClusterNames(domain: self.domain) }

    /// The schema version of the Kubernetes DNS specification served at `dns-version.<zone>`.
    package static let schemaVersion = "1.1.0"
}
