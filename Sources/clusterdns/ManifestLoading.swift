import ClusterModel
import Manifests

/// Load + derive, the stages `check`, `dump` and `serve` share.
enum ManifestLoading {
    /// A usage-level failure: the manifest root does not exist.
    struct MissingRoot: Error, CustomStringConvertible {
        var root: String
        var description: String { "\(self.root): no such file or directory" }
    }

    static func derive(root: String, options: ModelOptions) throws -> ClusterDerivation {
        guard let files = ManifestDirectory.loadAll(root) else { throw MissingRoot(root: root) }
        return ClusterBuilder.derive(files, options: options)
    }
}
