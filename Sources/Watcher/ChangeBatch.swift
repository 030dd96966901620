/// What happened to the manifest tree since the last rebuild.
package struct ChangeBatch: Sendable, Hashable {
    /// Paths events named (files to re-read even if `stat` looks unchanged).
    package var paths: Set<String> = []
    /// Re-read every file (inotify overflow, the periodic safety rescan, SIGHUP).
    package var rereadAll = false
    /// A full reload was asked for (SIGHUP): rebuild even if nothing changed.
    package var forced = false

    package init(paths: Set<String> = [], rereadAll: Bool = false, forced: Bool = false) {
        self.paths = paths
        self.rereadAll = rereadAll
        self.forced = forced
    }

    package mutating func merge(_ other: ChangeBatch) {
        self.paths.formUnion(other.paths)
        self.rereadAll = self.rereadAll || other.rereadAll
        self.forced = self.forced || other.forced
    }
}
