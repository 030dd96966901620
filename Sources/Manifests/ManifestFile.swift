/// What one manifest file holds after parsing: its objects (those that passed validation), its
/// diagnostics, and the kinds it held that DNS does not use. This is the per-file result a
/// reload keeps and redoes only when the file changes.
package struct ManifestFile: Sendable, Hashable {
    /// The path as the user named it (`zones/web.yaml`), used in every diagnostic.
    package var path: String
    package var objects: [ManifestObject]
    package var diagnostics: [ManifestDiagnostic]
    /// Kinds present but not used by DNS (ConfigMap, Ingress...), with how many of each.
    package var skippedKinds: [String: Int]
    /// True when the file as a whole could not be read (not YAML, too big...): none of its
    /// objects are known, and a server keeps the file's last good objects.
    package var failedToParse: Bool
    /// A zone file's records (a `.zone` file that read cleanly); nil for a manifest.
    package var zone: ZoneFileContent?

    package init(
        path: String, objects: [ManifestObject] = [], diagnostics: [ManifestDiagnostic] = [],
        skippedKinds: [String: Int] = [:], failedToParse: Bool = false, zone: ZoneFileContent? = nil
    ) {
        self.zone = zone
        self.path = path
        self.objects = objects
        self.diagnostics = diagnostics
        self.skippedKinds = skippedKinds
        self.failedToParse = failedToParse
    }
}
