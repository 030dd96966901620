import Manifests
import CoreSharing

/// What the control plane would have made of the manifests: namespaces, services with their
/// addresses and endpoints, and pods — kept per namespace, so that a rebuild replaces only the
/// namespaces that changed. Immutable, and the only input of the records stage.
package struct Cluster: Sendable, Hashable {
    /// Every namespace that exists, sorted.
    package var namespaces: [String]
    /// Services and pods by namespace.
    package var partitions: [String: NamespacePartition]

    package init(namespaces: [String] = [], partitions: [String: NamespacePartition]) {
        self.namespaces = namespaces
        self.partitions = partitions
    }

    /// Groups `services`, `pods` and `ingresses` by namespace (each sorted by name).
    package init(
        namespaces: [String] = [], services: [ClusterService] = [], pods: [ClusterPod] = [], ingresses: [ClusterIngress] = []
    ) {
        self.namespaces = namespaces
        self.partitions = Self.group(services: services, pods: pods, ingresses: ingresses)
    }

    private static func group(
        services: [ClusterService], pods: [ClusterPod], ingresses: [ClusterIngress]
    ) -> [String: NamespacePartition] {
        // Each namespace's arrays are sized exactly before they are filled: the model lives as
        // long as its snapshot, and arrays grown by appending keep up to half their capacity empty.
        var counts: [String: (services: Int, pods: Int, ingresses: Int)] = [:]
        for service in services { counts[service.namespace, default: (0, 0, 0)].services += 1 }
        for pod in pods { counts[pod.namespace, default: (0, 0, 0)].pods += 1 }
        for ingress in ingresses { counts[ingress.namespace, default: (0, 0, 0)].ingresses += 1 }
        var partitions: [String: NamespacePartition] = [:]
        partitions.reserveCapacity(counts.count)
        for (namespace, count) in counts {
            var partition = NamespacePartition()
            partition.services.reserveCapacity(count.services)
            partition.pods.reserveCapacity(count.pods)
            partition.ingresses.reserveCapacity(count.ingresses)
            partitions[namespace] = partition
        }
        for service in services { partitions[service.namespace, default: NamespacePartition()].services.append(service) }
        for pod in pods { partitions[pod.namespace, default: NamespacePartition()].pods.append(pod) }
        for ingress in ingresses { partitions[ingress.namespace, default: NamespacePartition()].ingresses.append(ingress) }
        CoreSharing.checkpoint()
        // In place, through the values (walked by hand: `values.indices` would hold the storage,
        // and the first write would copy it); sorting through `partitions[key]?` copied each list.
        var index = partitions.values.startIndex
        while index != partitions.values.endIndex {
            CoreSharing.checkpoint()
            partitions.values[index].sortByName()
            partitions.values.formIndex(after: &index)
        }
        return partitions
    }

    /// Every service, sorted by namespace, then name (made on demand: not for hot paths).
    package var services: [ClusterService] {
        get { self.partitions.keys.sorted().flatMap { self.partitions[$0]?.services ?? [] } }
        set { self.partitions = Self.group(services: newValue, pods: self.pods, ingresses: self.ingresses) }
    }

    /// Every pod, sorted by namespace, then name (made on demand: not for hot paths).
    package var pods: [ClusterPod] {
        get { self.partitions.keys.sorted().flatMap { self.partitions[$0]?.pods ?? [] } }
        set { self.partitions = Self.group(services: self.services, pods: newValue, ingresses: self.ingresses) }
    }

    /// Every ingress, sorted by namespace, then name (made on demand: not for hot paths).
    package var ingresses: [ClusterIngress] {
        self.partitions.keys.sorted().flatMap { self.partitions[$0]?.ingresses ?? [] }
    }

    package func service(namespace: String, name: String) -> ClusterService? {
        self.partitions[namespace]?.services.first { $0.name == name }
    }
}
