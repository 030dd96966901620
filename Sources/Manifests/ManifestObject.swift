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

    /// `metadata.name`, read without copying the rest of the object (derivation reads it for
    /// every object of every build).
    package var name: String {
        switch self.body {
        case .namespace(let metadata): return metadata.name
        case .service(let service): return service.metadata.name
        case .pod(let pod): return pod.metadata.name
        case .endpoints(let endpoints): return endpoints.metadata.name
        case .endpointSlice(let slice): return slice.metadata.name
        case .workload(let workload): return workload.metadata.name
        case .ingress(let ingress): return ingress.metadata.name
        }
    }

    /// `metadata.namespace`, read as `name` is.
    package var namespace: String {
        switch self.body {
        case .namespace(let metadata): return metadata.namespace
        case .service(let service): return service.metadata.namespace
        case .pod(let pod): return pod.metadata.namespace
        case .endpoints(let endpoints): return endpoints.metadata.namespace
        case .endpointSlice(let slice): return slice.metadata.namespace
        case .workload(let workload): return workload.metadata.namespace
        case .ingress(let ingress): return ingress.metadata.namespace
        }
    }

    /// The namespace the object is about: a Namespace's own name, else the object's namespace.
    package var subjectNamespace: String {
        if case .namespace(let metadata) = self.body { return metadata.name }
        return self.namespace
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
        let kind = self.kind
        return ObjectIdentity(kind: kind, namespace: kind.isNamespaced ? self.namespace : "", name: self.name)
    }
}
