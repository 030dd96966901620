import Manifests

/// The collections the DNS model reads from the API server, with where they are listed and
/// watched (cluster-wide, as CoreDNS's informers do) and the virtual file their objects go in.
package enum APIResource: String, Sendable, CaseIterable, Hashable {
    case namespaces
    case services
    case endpointSlices = "endpointslices"
    case pods
    /// Read only for `--external-zone` (its RBAC rule is needed only then).
    case ingresses

    /// The four that cluster DNS is made of.
    package static let core: [APIResource] = [.namespaces, .services, .endpointSlices, .pods]

    /// What a source lists and watches: the core four, and Ingresses when an external zone
    /// serves their hosts.
    package static func read(ingresses: Bool) -> [APIResource] { ingresses ? Self.core + [.ingresses] : Self.core }

    /// The collection's path, all namespaces.
    package var path: String {
        switch self {
        case .namespaces: return "/api/v1/namespaces"
        case .services: return "/api/v1/services"
        case .endpointSlices: return "/apis/discovery.k8s.io/v1/endpointslices"
        case .pods: return "/api/v1/pods"
        case .ingresses: return "/apis/networking.k8s.io/v1/ingresses"
        }
    }

    /// The kind of the collection's items.
    package var kind: ObjectKind {
        switch self {
        case .namespaces: return .namespace
        case .services: return .service
        case .endpointSlices: return .endpointSlice
        case .pods: return .pod
        case .ingresses: return .ingress
        }
    }
}
