import Manifests

/// What the control plane would have made of the manifests: namespaces, services with their
/// addresses and endpoints, and pods. Immutable, sorted, and the only input of the records stage.
package struct Cluster: Sendable, Hashable {
    /// Every namespace that exists, sorted.
    package var namespaces: [String]
    /// Sorted by namespace, then name.
    package var services: [ClusterService]
    /// Sorted by namespace, then name.
    package var pods: [ClusterPod]

    package init(namespaces: [String] = [], services: [ClusterService] = [], pods: [ClusterPod] = []) {
        self.namespaces = namespaces
        self.services = services
        self.pods = pods
    }

    package func service(namespace: String, name: String) -> ClusterService? {
        self.services.first { $0.namespace == namespace && $0.name == name }
    }
}
