import Manifests

/// The four collections the DNS model reads from the API server, with where they are listed and
/// watched (cluster-wide, as CoreDNS's informers do) and the virtual file their objects go in.
package enum APIResource: String, Sendable, CaseIterable, Hashable {
    case namespaces
    case services
    case endpointSlices = "endpointslices"
    case pods

    /// The collection's path, all namespaces.
    package var path: String {
        switch self {
        case .namespaces: return "/api/v1/namespaces"
        case .services: return "/api/v1/services"
        case .endpointSlices: return "/apis/discovery.k8s.io/v1/endpointslices"
        case .pods: return "/api/v1/pods"
        }
    }

    /// The kind of the collection's items.
    package var kind: ObjectKind {
        switch self {
        case .namespaces: return .namespace
        case .services: return .service
        case .endpointSlices: return .endpointSlice
        case .pods: return .pod
        }
    }
}
