import Manifests

/// What the API server sends, decoded into what the store keeps: a list page's objects (each in
/// its virtual file) with the list's resourceVersion and continue token, or one watch event.
/// Positions inside a reply mean nothing (and would make one object decode differently in two
/// pages), so every node is at line 1, column 1: an unchanged object decodes equal wherever it
/// comes from, and an event that changes nothing DNS reads changes nothing. Pure: no I/O, so the
/// real payloads' shapes are tested as tables.
package struct APIPayloadDecoder: Sendable {
    package let resource: APIResource

    package init(_ resource: APIResource) {
        self.resource = resource
    }

    /// One object of a list or event, placed: its virtual file, its name, what it decoded to.
    package struct Placed: Sendable, Equatable {
        package var path: String
        package var name: String
        package var decoded: ManifestFile
    }

    /// One page of a `<Kind>List`.
    package struct Page: Sendable, Equatable {
        package var objects: [Placed]
        package var resourceVersion: String
        /// Where the next page starts; nil or empty on the last page.
        package var continueToken: String?
    }

    /// One line of a watch stream.
    package enum WatchEvent: Sendable, Equatable {
        /// ADDED or MODIFIED.
        case upsert(Placed, resourceVersion: String?)
        case delete(path: String, name: String, resourceVersion: String?)
        /// Only a resourceVersion: the point a later watch may resume from.
        case bookmark(resourceVersion: String?)
        /// An ERROR event carrying a 410 Status: the resourceVersion is too old; list again.
        case gone(String)
        /// An ERROR event with any other Status.
        case failure(code: Int, message: String)
        /// An object without a name: nothing to do but keep its resourceVersion.
        case unnamed(resourceVersion: String?)
    }

    package func page(_ body: [UInt8]) throws -> Page {
        let parsed = body.withUnsafeBytes { JSONDocumentParser.parse($0, limits: .apiServer, positions: false) }
        guard case .success(let documents) = parsed, let list = documents.first, list.isMapping else {
            throw APIError.malformed("the \(self.resource.rawValue) list is not a JSON object")
        }
        guard let resourceVersion = list["metadata"]?["resourceVersion"]?.scalar?.text else {
            throw APIError.malformed("the \(self.resource.rawValue) list has no metadata.resourceVersion")
        }
        var objects: [Placed] = []
        for item in list["items"]?.sequence ?? [] {
            guard let (path, name) = self.place(item) else { continue }
            objects.append(
                Placed(path: path, name: name, decoded: ManifestParser.decodeAPIObject(item, as: self.resource.kind, path: path)))
        }
        return Page(objects: objects, resourceVersion: resourceVersion, continueToken: list["metadata"]?["continue"]?.scalar?.text)
    }

    package func event<Bytes: Collection<UInt8>>(_ line: Bytes) throws -> WatchEvent {
        let parsed = Array(line).withUnsafeBytes { JSONDocumentParser.parse($0, limits: .apiServer, positions: false) }
        guard case .success(let documents) = parsed, let event = documents.first,
            let type = event["type"]?.scalar?.text, let object = event["object"]
        else {
            throw APIError.malformed("a watch event of \(self.resource.rawValue) is not a JSON event")
        }
        let version = object["metadata"]?["resourceVersion"]?.scalar?.text
        switch type {
        case "ADDED", "MODIFIED":
            guard let (path, name) = self.place(object) else { return .unnamed(resourceVersion: version) }
            let decoded = ManifestParser.decodeAPIObject(object, as: self.resource.kind, path: path)
            return .upsert(Placed(path: path, name: name, decoded: decoded), resourceVersion: version)
        case "DELETED":
            guard let (path, name) = self.place(object) else { return .unnamed(resourceVersion: version) }
            return .delete(path: path, name: name, resourceVersion: version)
        case "BOOKMARK":
            return .bookmark(resourceVersion: version)
        case "ERROR":
            let code = object["code"]?.scalar.flatMap { Int($0.text) } ?? 0
            let message = object["message"]?.scalar?.text ?? "watch error"
            return code == 410 ? .gone(message) : .failure(code: code, message: message)
        default:
            throw APIError.malformed("unknown watch event type \(type)")
        }
    }

    /// The virtual file and name of an API object; nil when it has no name. Namespaces are
    /// their own namespace; a namespaced object without one is in `default`, as the API defaults it.
    private func place(_ object: ManifestNode) -> (path: String, name: String)? {
        guard let name = object["metadata"]?["name"]?.scalar?.text, !name.isEmpty else { return nil }
        let namespace = self.resource == .namespaces ? name : (object["metadata"]?["namespace"]?.scalar?.text ?? "default")
        return (ClusterObjectStore.path(self.resource, namespace: namespace), name)
    }
}

extension ManifestLimits {
    /// An API reply is one page of 500 objects or one event: the file-size bound of manifests
    /// does not apply (the reply's own bounds do), the nesting bound does.
    static let apiServer = ManifestLimits(maximumFileSize: ResourceReflector.maximumPage)
}
