import Manifests
import Synchronization

/// The cluster as listed and watched: every object the model reads, decoded, grouped by namespace
/// and resource into virtual files (`kubernetes/<namespace>/<resource>`), so that a change flows
/// into the same per-file, per-namespace incremental path as an edited manifest. Thread-safe: the
/// reflectors write, the reload loop takes.
package final class ClusterObjectStore: Sendable {
    private struct State {
        /// Virtual file → object name → what the object decoded to (the object, or diagnostics).
        var files: [String: [String: ManifestFile]] = [:]
        /// Each virtual file as the pipeline reads it, kept until the file changes.
        var assembled: [String: ManifestFile] = [:]
        var sortedPaths: [String]?
        var changed: Set<String> = []
        var synced: Set<APIResource> = []
    }

    private let state = Mutex(State())
    /// Told the virtual files each change touched (the reload loop's inbox).
    private let changes: @Sendable (Set<String>) -> Void

    package init(changes: @escaping @Sendable (Set<String>) -> Void = { _ in }) {
        self.changes = changes
    }

    /// The virtual file of `resource`'s objects in `namespace` (for Namespaces, the one named).
    package static func path(_ resource: APIResource, namespace: String) -> String {
        "kubernetes/\(namespace)/\(resource.rawValue)"
    }

    /// An object of virtual file `path` added or modified (`decoded` is its decoding), or
    /// deleted (`decoded` nil).
    package func apply(_ path: String, name: String, decoded: ManifestFile?) {
        let touched = self.state.withLock { state -> Bool in
            let before = state.files[path]?[name]
            guard before != decoded else { return false }
            if let decoded {
                if state.files[path] == nil { state.sortedPaths = nil }
                state.files[path, default: [:]][name] = decoded
            } else {
                state.files[path]?[name] = nil
                if state.files[path]?.isEmpty == true {
                    state.files[path] = nil
                    state.sortedPaths = nil
                }
            }
            state.assembled[path] = nil
            state.changed.insert(path)
            return true
        }
        if touched { self.changes([path]) }
    }

    /// Every object of `resource` at once, from a complete list: files whose objects differ are
    /// changed, files of this resource not in the list go. The resource counts as synced from now.
    package func replace(_ resource: APIResource, with listed: [String: [String: ManifestFile]]) {
        let suffix = "/" + resource.rawValue
        let touched = self.state.withLock { state -> Set<String> in
            var touched: Set<String> = []
            for path in state.files.keys where path.hasSuffix(suffix) && listed[path] == nil {
                state.files[path] = nil
                state.assembled[path] = nil
                state.sortedPaths = nil
                touched.insert(path)
            }
            for (path, objects) in listed where state.files[path] != objects {
                if state.files[path] == nil { state.sortedPaths = nil }
                state.files[path] = objects
                state.assembled[path] = nil
                touched.insert(path)
            }
            state.changed.formUnion(touched)
            state.synced.insert(resource)
            return touched
        }
        // Posted even when nothing changed: the first complete list is news in itself.
        self.changes(touched)
    }

    /// What the object `name` in virtual file `path` decoded to, if it is there.
    package func decoded(_ path: String, _ name: String) -> ManifestFile? {
        self.state.withLock { $0.files[path]?[name] }
    }

    /// The resources not yet listed completely, in a fixed order.
    package var unsynced: [APIResource] {
        self.state.withLock { state in APIResource.allCases.filter { !state.synced.contains($0) } }
    }

    /// Every virtual file in path order, and the paths changed since the last take.
    package func take() -> (files: [ManifestFile], changed: Set<String>) {
        self.state.withLock { state in
            if state.sortedPaths == nil { state.sortedPaths = state.files.keys.sorted() }
            var files: [ManifestFile] = []
            files.reserveCapacity(state.sortedPaths!.count)
            for path in state.sortedPaths! {
                if let file = state.assembled[path] {
                    files.append(file)
                    continue
                }
                var file = ManifestFile(path: path)
                for name in (state.files[path] ?? [:]).keys.sorted() {
                    let decoded = state.files[path]![name]!
                    file.objects += decoded.objects
                    file.diagnostics += decoded.diagnostics
                }
                state.assembled[path] = file
                files.append(file)
            }
            defer { state.changed = [] }
            return (files, state.changed)
        }
    }
}
