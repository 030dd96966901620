/// One object read from a manifest, typed by kind, with where its document starts.
package struct ManifestObject: Sendable, Hashable {
    /// The typed object.
    package enum Body: Sendable, Hashable {
        case namespace(ObjectMeta)
        case service(Service)
        case pod(Pod)
        case endpoints(Endpoints)
        case endpointSlice(EndpointSlice)
        case workload(Workload)
        case ingress(Ingress)
    }

    package var body: Body
    /// Where the object's document starts.
    package var location: SourceLocation
    /// Where `metadata.name` is written (duplicate definitions point here).
    package var nameLocation: SourceLocation

    package init(_ body: Body, location: SourceLocation, nameLocation: SourceLocation? = nil) {
        self.body = body
        self.location = location
        self.nameLocation = nameLocation ?? location
    }

    package var metadata: ObjectMeta {
        switch self.body {
        case .namespace(let metadata): return metadata
        case .service(let service): return service.metadata
        case .pod(let pod): return pod.metadata
        case .endpoints(let endpoints): return endpoints.metadata
        case .endpointSlice(let slice): return slice.metadata
        case .workload(let workload): return workload.metadata
        case .ingress(let ingress): return ingress.metadata
        }
    }

    package var kind: ObjectKind {
        switch self.body {
        case .namespace: return .namespace
        case .service: return .service
        case .pod: return .pod
        case .endpoints: return .endpoints
        case .endpointSlice: return .endpointSlice
        case .workload(let workload): return workload.kind
        case .ingress: return .ingress
        }
    }

    /// The namespace the object is about: a Namespace's own name, else the object's namespace.
    package var subjectNamespace: String {
        self.kind == .namespace ? self.metadata.name : self.metadata.namespace
    }

    /// The namespaces `objects` are about, in a set sized for them: `Set(sequence)` sizes its
    /// table for the whole sequence (a file of 128 objects in one namespace got 256 slots),
    /// and each file keeps its set (at L, 4 MiB in two places).
    package static func subjectNamespaces(of objects: [ManifestObject]) -> Set<String> {
        var namespaces: Set<String> = []
        for object in objects { namespaces.insert(object.subjectNamespace) }
        return namespaces
    }

    package var identity: ObjectIdentity {
        let metadata = self.metadata
        return ObjectIdentity(
            kind: self.kind, namespace: self.kind.isNamespaced ? metadata.namespace : "", name: metadata.name)
    }
}
