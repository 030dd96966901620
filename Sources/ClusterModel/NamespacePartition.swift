/// One namespace's part of the cluster: its services and pods, each sorted by name.
package struct NamespacePartition: Sendable, Hashable {
    package var services: [ClusterService]
    package var pods: [ClusterPod]

    package init(services: [ClusterService] = [], pods: [ClusterPod] = []) {
        self.services = services
        self.pods = pods
    }
}
