/// The Kubernetes kinds ClusterDNS reads, with the API group/version each is read from.
package enum ObjectKind: String, Sendable, Hashable, Comparable, CaseIterable {
    case namespace = "Namespace"
    case service = "Service"
    case pod = "Pod"
    case endpoints = "Endpoints"
    case endpointSlice = "EndpointSlice"
    case deployment = "Deployment"
    case replicaSet = "ReplicaSet"
    case statefulSet = "StatefulSet"
    case ingress = "Ingress"

    /// The apiVersion a manifest of this kind must declare.
    package var apiVersion: String {
        switch self {
        case .namespace, .service, .pod, .endpoints: return "v1"
        case .endpointSlice: return "discovery.k8s.io/v1"
        case .deployment, .replicaSet, .statefulSet: return "apps/v1"
        case .ingress: return "networking.k8s.io/v1"
        }
    }

    /// Whether objects of this kind live in a namespace (all but Namespace itself).
    package var isNamespaced: Bool { self != .namespace }

    package static func < (lhs: ObjectKind, rhs: ObjectKind) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
