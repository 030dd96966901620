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

    package var metadata: ObjectMeta { self.readMetadata { $0 } }

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

    /// `metadata.name`, read without copying the rest of the metadata (derivation reads it for
    /// every object of every build).
    package var name: String { self.readMetadata(\.name) }

    /// `metadata.namespace`, read as `name` is.
    package var namespace: String { self.readMetadata(\.namespace) }

    /// `read` applied to the object's metadata where it lies in the body: the one place that
    /// knows where each kind keeps it.
    private func readMetadata<Value>(_ read: (ObjectMeta) -> Value) -> Value {
        switch self.body {
        case .namespace(let metadata): return read(metadata)
        case .service(let service): return read(service.metadata)
        case .pod(let pod): return read(pod.metadata)
        case .endpoints(let endpoints): return read(endpoints.metadata)
        case .endpointSlice(let slice): return read(slice.metadata)
        case .workload(let workload): return read(workload.metadata)
        case .ingress(let ingress): return read(ingress.metadata)
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
