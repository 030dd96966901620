/// The parts of `metadata` that DNS needs (the decoder keeps only the labels and annotations
/// read here).
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

    /// The annotations anything here reads; the decoder keeps no others.
    package static let annotationsRead: Set<String> = [Service.tolerateUnreadyAnnotation]

    /// The labels of an object of `kind` that anything here reads: all of a Pod's (Service and
    /// workload selectors match them), an EndpointSlice's Service name, none of the others.
    package static func labelsRead(by kind: ObjectKind, from labels: [String: String]) -> [String: String] {
        switch kind {
        case .pod: return labels
        case .endpointSlice: return labels.filter { $0.key == EndpointSlice.serviceNameLabel }
        default: return [:]
        }
    }

    /// The owner reference marked `controller: true`, else the first one.
    package var controller: OwnerReference? {
        self.ownerReferences.first(where: \.isController) ?? self.ownerReferences.first
    }
}
