import Manifests

/// The cluster-wide settings a control plane would have: where cluster IPs, pod IPs and node
/// ports come from. The defaults are kubeadm's.
package struct ModelOptions: Sendable, Hashable {
    /// `--service-cidr`: one block, or one per family for a dual-stack cluster (primary first).
    package var serviceCIDRs: [IPNetwork]
    /// `--pod-cidr`: one block, or one per family.
    package var podCIDRs: [IPNetwork]
    /// `--service-node-port-range`.
    package var nodePortRange: ClosedRange<Int>

    package init(
        serviceCIDRs: [IPNetwork] = [Self.defaultServiceCIDR], podCIDRs: [IPNetwork] = [Self.defaultPodCIDR],
        nodePortRange: ClosedRange<Int> = 30000...32767
    ) {
        self.serviceCIDRs = serviceCIDRs
        self.podCIDRs = podCIDRs
        self.nodePortRange = nodePortRange
    }

    package static let defaultServiceCIDR = IPNetwork(address: IPAddress(ipv4: 0x0A60_0000), prefixLength: 12)
    package static let defaultPodCIDR = IPNetwork(address: IPAddress(ipv4: 0x0AF4_0000), prefixLength: 16)

    /// The family services get when they ask for none: the first service CIDR's.
    package var primaryFamily: IPAddress.Family { self.serviceCIDRs.first?.family ?? .ipv4 }

    package func serviceCIDR(for family: IPAddress.Family) -> IPNetwork? {
        self.serviceCIDRs.first { $0.family == family }
    }
}
