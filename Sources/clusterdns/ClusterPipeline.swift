import ClusterModel
import Manifests
import ZoneCompiler
import ZoneFiles
import CoreSharing

/// Load → derive → compile, kept between reloads: the per-file parse cache, the allocation table
/// (so nothing renumbers) and the SOA serial (which grows with every publication).
struct ClusterPipeline {
    /// What one rebuild did.
    struct Report {
        var generation: Int
        var changes: ManifestTree.Changes
        var snapshot: RecordSnapshot
        var derivation: ClusterDerivation
        var buildTime: Duration
        /// The stages: re-reading files, deriving the cluster, compiling the snapshot.
        var stageTimes: (refresh: Duration, derive: Duration, compile: Duration)
        /// Diagnostics of the files that changed in this rebuild.
        var newDiagnostics: [ManifestDiagnostic]
    }

    private(set) var tree: ManifestTree
    private var recordOptions: RecordOptions
    /// Compiles only what changed since the last snapshot.
    private var builder: SnapshotBuilder
    /// Derives only the namespaces that changed since the last cluster.
    private var clusterBuilder: IncrementalClusterBuilder
    private(set) var generation = 0
    /// What `prepare` read ahead of the next rebuild, and which files.
    private var prepared = ManifestTree.Changes()
    private var preparedPaths: Set<String> = []
    /// The files the last rebuild left as they were because a writer was at them: to be read
    /// again (`ManifestTree.Changes.deferred`).
    private(set) var deferred: [String] = []

    init(root: String, model: ModelOptions, records: RecordOptions, limits: ManifestLimits = .standard) {
        self.tree = ManifestTree(root: root, limits: limits, zoneReader: ZoneFileParser.reader)
        self.recordOptions = records
        self.builder = SnapshotBuilder(options: records)
        self.clusterBuilder = IncrementalClusterBuilder(options: model)
    }

    var rootExists: Bool { self.tree.rootExists }

    /// Lets the watcher say which files were written while they were read (see `WriteActivity`).
    mutating func noteWrites(from activity: any WriteActivity) {
        self.tree.writeActivity = activity
    }

    /// Reads and parses the files `named` now, for the next rebuild to use: the reload loop
    /// calls this while it waits out the debounce window, so that parsing overlaps the wait.
    /// Nothing is derived or published; a file changed again later is read again then.
    mutating func prepare(named: Set<String>) {
        self.prepared.merge(self.tree.refresh(named: named, applyingRemovals: false))
        self.preparedPaths.formUnion(named)
    }

    /// Rescans (re-reading the files `named`, or everything) and, when anything changed or
    /// `force` is set, builds and returns the next snapshot. nil when there was nothing to do.
    mutating func rebuild(named: Set<String>? = nil, rereadAll: Bool = false, force: Bool = false) -> Report? {
        let clock = ContinuousClock()
        let start = clock.now
        var changes = self.prepared
        self.prepared = ManifestTree.Changes()
        // `prepare` is the only read of a file unless it changed again since.
        changes.merge(self.tree.refresh(named: named, rereadAll: rereadAll, alreadyRead: self.preparedPaths))
        self.preparedPaths = []
        self.deferred = changes.deferred
        guard !changes.isEmpty || force || self.generation == 0 else { return nil }
        CoreSharing.checkpoint()
        let refreshed = clock.now
        let derived: IncrementalClusterBuilder.Result
        do {
            // A copy for the derivation to read set-aside objects from, gone before the tree
            // changes below (or that change would copy the whole tree).
            let tree = self.tree
            derived = self.derive(tree.files, changes: changes, objects: { tree.objects(of: $0) })
        }
        let derivedAt = clock.now
        // Derived: the parsed objects no later rebuild needs go before the compile, the largest
        // allocation of a build (see ManifestTree; their bytes stay as read until
        // `deflateKeptBytes`).
        self.tree.setAsideExclusiveFiles()
        return self.compile(derived, files: self.tree.files, changes: changes, times: (start, refreshed, derivedAt))
    }

    /// Deflates the bytes kept of the files whose objects were set aside (see `ManifestTree`).
    /// Called once a rebuild's snapshot is published: no part of the time to the answer.
    mutating func deflateKeptBytes() {
        self.tree.deflateKeptBytes()
    }

    /// Builds the next snapshot from a source that keeps its own files (the API server's virtual
    /// files), given the paths changed since the last build. nil when there was nothing to do.
    mutating func rebuild(files: [ManifestFile], changed: Set<String>, force: Bool = false) -> Report? {
        guard !changed.isEmpty || force || self.generation == 0 else { return nil }
        let now = ContinuousClock.now
        var changes = ManifestTree.Changes()
        changes.changed = changed.sorted()
        let derived = self.derive(files, changes: changes, objects: { $0.objects })
        return self.compile(derived, files: files, changes: changes, times: (now, now, ContinuousClock.now))
    }

    /// The derivation, the first stage every source shares.
    private mutating func derive(
        _ files: [ManifestFile], changes: ManifestTree.Changes, objects: (ManifestFile) -> [ManifestObject]
    ) -> IncrementalClusterBuilder.Result {
        let changed = Set(changes.added + changes.changed + changes.removed)
        return self.clusterBuilder.derive(files, changed: changed, objects: objects)
    }

    /// The compile, the second stage every source shares, and the rebuild's report; `times` are
    /// when the rebuild started, the files were read and the cluster was derived.
    private mutating func compile(
        _ result: IncrementalClusterBuilder.Result, files: [ManifestFile], changes: ManifestTree.Changes,
        times: (start: ContinuousClock.Instant, refreshed: ContinuousClock.Instant, derived: ContinuousClock.Instant)
    ) -> Report {
        let clock = ContinuousClock()
        let (start, refreshed, derived) = times
        let changed = Set(changes.added + changes.changed + changes.removed)
        let derivation = result.derivation
        CoreSharing.checkpoint()
        if self.generation > 0 {
            // RFC 1982 serial arithmetic: one more, wrapping.
            self.recordOptions.serial &+= 1
        }
        self.generation += 1
        // Zone files go to the compiler whole when one of them changed (they are few and small).
        let zoneFilesChanged = self.generation == 1 || changed.contains { ManifestDirectory.isZoneFileName($0) }
        let snapshot = self.builder.build(
            derivation.cluster, serial: self.recordOptions.serial, changed: result.changedNamespaces,
            zoneFiles: zoneFilesChanged ? FileZoneSet.zoneFiles(in: files) : nil)
        CoreSharing.checkpoint()
        let touched = Set(changes.added + changes.changed)
        let newDiagnostics = derivation.diagnostics.filter { touched.contains($0.location.file) }
        let end = clock.now
        return Report(
            generation: self.generation, changes: changes, snapshot: snapshot, derivation: derivation,
            buildTime: end - start, stageTimes: (refreshed - start, derived - refreshed, end - derived),
            newDiagnostics: newDiagnostics)
    }
}
