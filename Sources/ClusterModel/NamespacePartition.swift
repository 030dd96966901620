/// One namespace's part of the cluster: its services, pods and ingresses, each sorted by name.
package struct NamespacePartition: Sendable, Hashable {
    package var services: [ClusterService]
    package var pods: [ClusterPod]
    package var ingresses: [ClusterIngress]

    package init(services: [ClusterService] = [], pods: [ClusterPod] = [], ingresses: [ClusterIngress] = []) {
        self.services = services
        self.pods = pods
        self.ingresses = ingresses
    }
}
