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

extension NamespacePartition {
    /// Sorts each list by name. A list already in order, as the API server lists a namespace's
    /// objects (and `kubectl get -o yaml` writes them), is only compared: sorting moves each
    /// element through copies, a retain and a release per field.
    mutating func sortByName() {
        if !self.services.indices.dropFirst().allSatisfy({ self.services[$0 - 1].name < self.services[$0].name }) {
            self.services.sort { $0.name < $1.name }
        }
        if !self.pods.indices.dropFirst().allSatisfy({ self.pods[$0 - 1].name < self.pods[$0].name }) {
            self.pods.sort { $0.name < $1.name }
        }
        if !self.ingresses.indices.dropFirst().allSatisfy({ self.ingresses[$0 - 1].name < self.ingresses[$0].name }) {
            self.ingresses.sort { $0.name < $1.name }
        }
    }
}
