import Manifests
import Synchronization

/// The cluster as listed and watched: every object the model reads, decoded, grouped by namespace
/// and resource into virtual files (`kubernetes/<namespace>/<resource>`), so that a change flows
/// into the same per-file, per-namespace incremental path as an edited manifest. Each object is
/// held once, in its virtual file. Thread-safe: the reflectors write, the reload loop takes.
package final class ClusterObjectStore: Sendable {
    private struct State {
        var files: [String: VirtualFile] = [:]
        var sortedPaths: [String]?
        var changed: Set<String> = []
        var synced: Set<APIResource> = []
    }

    private let state = Mutex(State())
    /// Told the virtual files each change touched (the reload loop's inbox).
    private let changes: @Sendable (Set<String>) -> Void
    /// The resources it holds, each of which must be listed before the cluster is complete.
    package let resources: [APIResource]

    package init(resources: [APIResource] = APIResource.core, changes: @escaping @Sendable (Set<String>) -> Void = { _ in }) {
        self.resources = resources
        self.changes = changes
    }

    /// The virtual file of `resource`'s objects in `namespace` (for Namespaces, the one named).
    package static func path(_ resource: APIResource, namespace: String) -> String {
        "kubernetes/\(namespace)/\(resource.rawValue)"
    }

    /// An object of virtual file `path` added or modified (`decoded` is its decoding), or
    /// deleted (`decoded` nil). Nothing happens when the object is as it was.
    package func apply(_ path: String, name: String, decoded: ManifestFile?) {
        let touched = self.state.withLock { state -> Bool in
            var file = state.files[path] ?? VirtualFile(path: path)
            guard file.set(name, to: decoded) else { return false }
            if file.isEmpty {
                state.files[path] = nil
                state.sortedPaths = nil
            } else {
                if state.files[path] == nil { state.sortedPaths = nil }
                state.files[path] = file
            }
            state.changed.insert(path)
            return true
        }
        if touched { self.changes([path]) }
    }

    /// The object as served, for a relist to share when the listed one is equal.
    package func object(_ path: String, named name: String) -> ManifestObject? {
        self.state.withLock { $0.files[path]?.object(named: name) }
    }

    /// Every object of `resource` at once, from a complete list: files whose objects differ are
    /// changed, files of this resource not in the list go. The resource counts as synced from now.
    package func replace(_ resource: APIResource, with listed: [String: VirtualFile]) {
        let suffix = "/" + resource.rawValue
        let touched = self.state.withLock { state -> Set<String> in
            var touched: Set<String> = []
            for path in state.files.keys where path.hasSuffix(suffix) && listed[path] == nil {
                state.files[path] = nil
                state.sortedPaths = nil
                touched.insert(path)
            }
            for (path, file) in listed where state.files[path] != file {
                if state.files[path] == nil { state.sortedPaths = nil }
                state.files[path] = file
                touched.insert(path)
            }
            state.changed.formUnion(touched)
            state.synced.insert(resource)
            return touched
        }
        // Posted even when nothing changed: the first complete list is news in itself.
        self.changes(touched)
    }

    /// The resources not yet listed completely, in a fixed order.
    package var unsynced: [APIResource] {
        self.state.withLock { state in self.resources.filter { !state.synced.contains($0) } }
    }

    /// Every virtual file in path order, and the paths changed since the last take.
    package func take() -> (files: [ManifestFile], changed: Set<String>) {
        self.state.withLock { state in
            if state.sortedPaths == nil { state.sortedPaths = state.files.keys.sorted() }
            let files = state.sortedPaths!.compactMap { state.files[$0]?.file }
            defer { state.changed = [] }
            return (files, state.changed)
        }
    }
}
