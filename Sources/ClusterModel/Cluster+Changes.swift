import Manifests

extension Cluster {
    /// Each namespace that exists with what it holds; a namespace with no services or pods holds
    /// an empty partition (it still has its names, such as `<ns>.svc.<domain>`).
    package var partitionsOfEveryNamespace: [String: NamespacePartition] {
        var every = self.partitions
        for namespace in self.namespaces where every[namespace] == nil { every[namespace] = NamespacePartition() }
        return every
    }

    /// What `namespace` holds: an empty partition for a namespace that exists without services
    /// or pods, nil for one that does not exist (`namespaces` is sorted).
    package func partition(of namespace: String) -> NamespacePartition? {
        if let partition = self.partitions[namespace] { return partition }
        let index = self.namespaces.partitioningIndex { $0 >= namespace }
        return index < self.namespaces.count && self.namespaces[index] == namespace ? NamespacePartition() : nil
    }

    /// The namespaces that differ between `self` and `previous`: there in one and not the other,
    /// or holding other services or pods. With `candidates`, only those and the namespaces that
    /// appeared or went are compared (the caller knows every other one is as it was).
    package func namespacesChanged(since previous: Cluster, among candidates: Set<String>? = nil) -> Set<String> {
        let before = previous.partitionsOfEveryNamespace
        let after = self.partitionsOfEveryNamespace
        var changed: Set<String> = []
        if let candidates {
            for namespace in candidates where before[namespace] != after[namespace] { changed.insert(namespace) }
        } else {
            for (namespace, partition) in after where before[namespace] != partition { changed.insert(namespace) }
        }
        for namespace in after.keys where before[namespace] == nil { changed.insert(namespace) }
        for namespace in before.keys where after[namespace] == nil { changed.insert(namespace) }
        return changed
    }
}
