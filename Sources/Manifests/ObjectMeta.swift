/// The parts of `metadata` that DNS needs.
package struct ObjectMeta: Sendable, Hashable {
    package var name: String
    /// `default` when the manifest gives none, as `kubectl apply` does.
    package var namespace: String
    package var labels: [String: String]
    package var annotations: [String: String]
    package var ownerReferences: [OwnerReference]
    /// Set when the object is being deleted; such pods are never endpoints.
    package var deletionTimestamp: String?

    package init(
        name: String, namespace: String = "default", labels: [String: String] = [:],
        annotations: [String: String] = [:], ownerReferences: [OwnerReference] = [], deletionTimestamp: String? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.deletionTimestamp = deletionTimestamp
    }

    /// The owner reference marked `controller: true`, else the first one.
    package var controller: OwnerReference? {
        self.ownerReferences.first(where: \.isController) ?? self.ownerReferences.first
    }
}
