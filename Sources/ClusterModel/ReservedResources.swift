import IPAddressing
import Manifests

/// Addresses and node ports held by the parts of the cluster that a partial derivation leaves
/// alone (other namespaces): a new allocation avoids them; an explicit claim on one is a
/// conflict the caller resolves with a full derivation. Also the pods synthesized there, which
/// count against the cluster-wide cap.
package struct ReservedResources: Sendable {
    package var serviceIP: @Sendable (IPAddress) -> Bool
    package var podIP: @Sendable (IPAddress) -> Bool
    package var nodePort: @Sendable (Int) -> Bool
    package var synthesizedPods: Int

    package init(
        serviceIP: @escaping @Sendable (IPAddress) -> Bool, podIP: @escaping @Sendable (IPAddress) -> Bool,
        nodePort: @escaping @Sendable (Int) -> Bool, synthesizedPods: Int = 0
    ) {
        self.serviceIP = serviceIP
        self.podIP = podIP
        self.nodePort = nodePort
        self.synthesizedPods = synthesizedPods
    }

    package static let none = ReservedResources(serviceIP: { _ in false }, podIP: { _ in false }, nodePort: { _ in false })
}
