import IPAddressing
import Manifests

/// The cluster-wide settings a control plane would have: where cluster IPs, pod IPs and node
/// ports come from, and whether addresses written in the manifests are checked against them.
///
/// The address policy: without `--service-cidr` / `--pod-cidr` the manifests are the truth, so
/// explicit addresses of any range and either family are taken as they are, and missing ones are
/// allocated from dual-stack defaults (kind's and kubeadm's). A range given on the command line
/// is a promise about the cluster: explicit addresses outside it are errors.
package struct ModelOptions: Sendable, Hashable {
    /// The blocks cluster IPs are allocated from: `--service-cidr`, or the defaults. Within one
    /// family, allocation uses the first block with room.
    package var serviceCIDRs: [IPNetwork]
    /// The blocks pod IPs are allocated from: `--pod-cidr`, or the defaults.
    package var podCIDRs: [IPNetwork]
    /// Whether `serviceCIDRs` came from the user: explicit cluster IPs must then lie inside them.
    package var checksServiceAddresses: Bool
    /// Whether `podCIDRs` came from the user: explicit pod IPs (host-network pods aside) must
    /// then lie inside them.
    package var checksPodAddresses: Bool
    /// `--service-node-port-range`.
    package var nodePortRange: ClosedRange<Int>
    /// `--max-synthesized-pods`: how many pods workloads without pods in the manifests may get,
    /// each and all together (a `replicas` of 2^31 must not be a 2^31-element allocation).
    package var maximumSynthesizedPods: Int

    /// - Parameters:
    ///   - serviceCIDRs: the user's service blocks; nil for the defaults, unchecked.
    ///   - podCIDRs: the user's pod blocks; nil for the defaults, unchecked.
    package init(
        serviceCIDRs: [IPNetwork]? = nil, podCIDRs: [IPNetwork]? = nil, nodePortRange: ClosedRange<Int> = 30000...32767,
        maximumSynthesizedPods: Int = Self.defaultMaximumSynthesizedPods
    ) {
        self.serviceCIDRs = serviceCIDRs ?? Self.defaultServiceCIDRs
        self.podCIDRs = podCIDRs ?? Self.defaultPodCIDRs
        self.checksServiceAddresses = serviceCIDRs != nil
        self.checksPodAddresses = podCIDRs != nil
        self.nodePortRange = nodePortRange
        self.maximumSynthesizedPods = maximumSynthesizedPods
    }

    package static let defaultMaximumSynthesizedPods = 100_000

    /// kubeadm's service block, and kind's IPv6 one.
    package static let defaultServiceCIDRs = [
        IPNetwork(address: IPAddress(ipv4: 0x0A60_0000), prefixLength: 12),  // 10.96.0.0/12
        IPNetwork(address: IPAddress(ipv6: 0xFD00_0010_0096_0000, 0), prefixLength: 112),  // fd00:10:96::/112
    ]
    /// Flannel's and kind's pod blocks.
    package static let defaultPodCIDRs = [
        IPNetwork(address: IPAddress(ipv4: 0x0AF4_0000), prefixLength: 16),  // 10.244.0.0/16
        IPNetwork(address: IPAddress(ipv6: 0xFD00_0010_0244_0000, 0), prefixLength: 56),  // fd00:10:244::/56
    ]

    /// The family services get when they ask for none: the first service block's.
    package var primaryFamily: IPAddress.Family { self.serviceCIDRs.first?.family ?? .ipv4 }

    /// The service blocks of `family`, in the order given.
    package func serviceCIDRs(for family: IPAddress.Family) -> [IPNetwork] {
        self.serviceCIDRs.filter { $0.family == family }
    }

    /// Whether the cluster has a service block of `family`.
    package func hasServiceCIDR(for family: IPAddress.Family) -> Bool {
        self.serviceCIDRs.contains { $0.family == family }
    }

    /// The pod address families, in the order of the pod blocks (primary first).
    package var podFamilies: [IPAddress.Family] {
        var families: [IPAddress.Family] = []
        for network in self.podCIDRs where !families.contains(network.family) { families.append(network.family) }
        return families
    }

    /// Every block addresses are allocated from: the reverse zones ClusterDNS is authoritative for
    /// beyond those of addresses written in the manifests.
    package var allocationCIDRs: [IPNetwork] { self.serviceCIDRs + self.podCIDRs }

    /// One line for `check`: which policy applies to services and pods, and the blocks in use.
    package var policyDescription: String {
        func describe(_ what: String, _ blocks: [IPNetwork], checked: Bool, flag: String) -> String {
            let list = blocks.map(\.description).joined(separator: ", ")
            return checked
                ? "\(what) checked against \(flag) \(list)"
                : "\(what) as written, missing ones allocated from \(list)"
        }
        return "addresses: "
            + describe("services", self.serviceCIDRs, checked: self.checksServiceAddresses, flag: "--service-cidr") + "; "
            + describe("pods", self.podCIDRs, checked: self.checksPodAddresses, flag: "--pod-cidr")
    }
}
