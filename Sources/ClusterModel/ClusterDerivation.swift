import Manifests

/// The result of deriving a cluster: the model, every diagnostic (the files' own and the
/// cluster-wide ones), the allocations to carry into the next derivation, and the counts.
package struct ClusterDerivation: Sendable {
    package var cluster: Cluster
    package var diagnostics: [ManifestDiagnostic]
    package var allocations: AllocationTable
    package var summary: ClusterSummary
    /// The diagnostics the derivation made (not the files'), by the namespace each is about.
    package var modelDiagnostics: [(namespace: String, diagnostic: ManifestDiagnostic)] = []
    /// A partial derivation met an explicit claim on a reserved address or port.
    package var reservedConflict = false
    /// Workloads refused their pods by `--max-synthesized-pods` in this derivation.
    package var synthesisCapReached = 0

    package init(
        cluster: Cluster, diagnostics: [ManifestDiagnostic], allocations: AllocationTable, summary: ClusterSummary
    ) {
        self.cluster = cluster
        self.diagnostics = diagnostics
        self.allocations = allocations
        self.summary = summary
    }
}
