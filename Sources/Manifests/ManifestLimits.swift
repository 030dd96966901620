/// Bounds on what one manifest file may cost to read. Hostile or broken files (a YAML bomb of
/// anchors and aliases, a huge file, absurd nesting) get a diagnostic instead of eating the server.
package struct ManifestLimits: Sendable, Equatable {
    /// Largest file read, in bytes. A whole cluster is normally many files; one file of a big
    /// `kubectl get -o yaml` dump stays well under this.
    package var maximumFileSize: Int
    /// Deepest nesting of lists and objects in one document. Kubernetes objects nest about 15 deep.
    package var maximumDepth: Int
    /// Most nodes that aliases may add to one file (the defence against "billion laughs").
    package var maximumAliasExpansion: Int

    package init(maximumFileSize: Int = 64 << 20, maximumDepth: Int = 64, maximumAliasExpansion: Int = 100_000) {
        self.maximumFileSize = maximumFileSize
        self.maximumDepth = maximumDepth
        self.maximumAliasExpansion = maximumAliasExpansion
    }

    package static let standard = ManifestLimits()
}
