import Glibc
import CoreSharing

/// The manifest tree as last read: every file's parse result, kept per file so that a change
/// re-reads only the files that changed. A file that no longer parses keeps serving its last good
/// objects (with the new error as its diagnostic); a deleted file's objects go away.
///
/// A file that is the only one naming its namespaces can have its objects set aside
/// (`setAsideExclusiveFiles`): a rebuild needs a file's objects only when one of its namespaces
/// changes, and that namespace's objects are then all in the file that changed. Its bytes are
/// kept deflated instead, and `objects(of:)` parses them again if they are ever needed (a file
/// that starts sharing a namespace takes its objects back). At L, the parsed objects were 59 MiB
/// and the deflated files are 1.7 MiB.
package struct ManifestTree: Sendable {
    /// One file's state.
    package struct Entry: Sendable {
        package var fingerprint: FileFingerprint?
        package var contentHash: UInt64
        /// The namespaces the file's objects are about.
        package var namespaces: Set<String> = []
        /// The bytes its objects were parsed from, while they may be set aside.
        var source: Source?
        /// Its objects are set aside: its file in `files` holds none, `objects(of:)` has them.
        package var isSetAside = false

        /// A file's bytes, kept to parse its objects again: as read until `deflateKeptBytes`, which
        /// runs once a snapshot is published, so that deflating is no part of the time to an
        /// answer; the objects are set aside before that, as soon as derivation is done with them.
        enum Source: Sendable {
            case read([UInt8])
            case deflated(CompressedSource)

            var bytes: [UInt8]? {
                switch self {
                case .read(let bytes): return bytes
                case .deflated(let source): return source.bytes()
                }
            }

            /// Deflated; nil when zlib fails.
            var deflated: CompressedSource? {
                switch self {
                case .read(let bytes): return bytes.withUnsafeBytes { CompressedSource($0) }
                case .deflated(let source): return source
                }
            }
        }
    }

    /// What a refresh found.
    package struct Changes: Sendable, Equatable {
        package var added: [String] = []
        package var changed: [String] = []
        package var removed: [String] = []
        /// Files that failed to parse and kept their last good objects.
        package var keptLastGood: [String] = []
        /// Files left as they were because a writer was at them while they were read: to be read
        /// again soon, whether or not their writer's close is reported (see `WriteActivity`).
        package var deferred: [String] = []

        package init() {}

        package var isEmpty: Bool { self.added.isEmpty && self.changed.isEmpty && self.removed.isEmpty }
        package var count: Int { self.added.count + self.changed.count + self.removed.count }

        /// Two refreshes in a row as one, each path as what it is after both relative to before
        /// the first: added then changed is added, changed then removed is removed, removed then
        /// added is changed; a file that failed to parse counts as kept-last-good only if the
        /// later refresh did not read it again, and a file left for its writer stays deferred
        /// unless the later refresh found it changed, gone or broken (read again to the same bytes,
        /// it is read once more: harmless).
        package mutating func merge(_ later: Changes) {
            enum Status { case added, changed, removed }
            var status: [String: Status] = [:]
            for path in self.added { status[path] = .added }
            for path in self.changed { status[path] = .changed }
            for path in self.removed { status[path] = .removed }
            for path in later.added { status[path] = status[path] == .removed ? .changed : .added }
            for path in later.changed { status[path] = status[path] == .added ? .added : .changed }
            for path in later.removed { status[path] = .removed }
            let reread = Set(later.added + later.changed + later.removed)
            var result = Changes()
            for (path, value) in status {
                switch value {
                case .added: result.added.append(path)
                case .changed: result.changed.append(path)
                case .removed: result.removed.append(path)
                }
            }
            result.added.sort()
            result.changed.sort()
            result.removed.sort()
            result.keptLastGood = (self.keptLastGood.filter { !reread.contains($0) } + later.keptLastGood).sorted()
            let looked = reread.union(later.deferred).union(later.keptLastGood)
            result.deferred = (self.deferred.filter { !looked.contains($0) } + later.deferred).sorted()
            self = result
        }
    }

    package let root: String
    package let limits: ManifestLimits
    package private(set) var entries: [String: Entry] = [:]
    /// The keys of `entries`, in order, and each one's file at the same position: what the cluster
    /// uses from it (its last good objects, its current diagnostics). `files` is read at every
    /// rebuild, and sorting a thousand paths (then gathering their files) each time was a tenth of
    /// a one-file reload's CPU at L.
    private var sortedPaths: [String] = []
    private var sortedFiles: [ManifestFile] = []
    /// How many files name each namespace (a file naming only namespaces no other file names is
    /// exclusive), kept as files come, change and go.
    private var filesNaming: [String: Int] = [:]
    /// Files added or read again since the last `setAsideExclusiveFiles`: the only ones whose
    /// state it has to look at, unless a namespace went from one file to two or back, which may
    /// change the exclusivity of files that did not change.
    private var unsettledPaths: Set<String> = []
    /// Set-aside files whose bytes are kept as read, for `deflateKeptBytes`.
    private var undeflatedPaths: Set<String> = []
    private var exclusivityMoved = false
    /// False when the root could not be read at the last refresh.
    package private(set) var rootExists = true
    /// The root directory's identity (device, inode) when last read.
    private var rootIdentity: [UInt64]?
    /// When the root came back after being removed (or was replaced by another directory):
    /// until `replacementSettle` has passed, files missing from it are kept, so that a tree being
    /// copied back (`rm -rf dir; mkdir dir; cp ...`) never blanks a name it will hold again.
    package private(set) var replacedAt: ContinuousClock.Instant?
    package static let replacementSettle: Duration = .seconds(2)

    /// Reads `.zone` files (nil: they are refused with a diagnostic).
    package let zoneReader: ZoneFileReader?
    /// The watcher's word on files being written, when there is a watcher: a file written while
    /// it was read is left as it was and listed in `Changes.deferred`, to be read again.
    package var writeActivity: (any WriteActivity)?

    package init(root: String, limits: ManifestLimits = .standard, zoneReader: ZoneFileReader? = nil) {
        self.root = ManifestDirectory.normalizedRoot(root)
        self.limits = limits
        self.zoneReader = zoneReader
    }

    /// Every file's result, in path order: the input of the cluster model.
    package var files: [ManifestFile] { self.sortedFiles }

    /// Rescans the tree. With `named`, only those files are read again (files a watcher saw
    /// finished: closed after writing, renamed into place), and files that appeared without being
    /// named wait for their own event — a file still being written is never read. With
    /// `rereadAll`, every file is read and hashed (initial load, periodic rescan, overflow).
    /// Otherwise files whose `stat` changed are read. Files gone from disk are dropped in every mode
    /// unless `applyingRemovals` is false (a look ahead, while more events may come: a file gone
    /// now may be one of a whole tree being removed and copied back). Named files in `alreadyRead`
    /// (read by that look ahead) are read again only if their `stat` changed since. In every mode,
    /// a file `writeActivity` says was written while it was read keeps what it held.
    @discardableResult
    package mutating func refresh(
        named: Set<String>? = nil, rereadAll: Bool = false, applyingRemovals: Bool = true, alreadyRead: Set<String> = []
    ) -> Changes {
        var changes = Changes()
        guard let scanned = ManifestDirectory.scan(self.root) else {
            // The root itself is gone (or unreadable): keep serving what we had.
            self.rootExists = false
            return changes
        }
        let identity = Self.identity(of: self.root)
        if !self.rootExists || (self.rootIdentity != nil && identity != self.rootIdentity) {
            self.replacedAt = .now
        }
        self.rootExists = true
        self.rootIdentity = identity
        if let replacedAt = self.replacedAt, ContinuousClock.now - replacedAt >= Self.replacementSettle {
            self.replacedAt = nil
        }
        // Files gone from disk: both lists are in path order, so one walk finds them, without
        // hashing every path of the tree at every reload.
        var gone: [String] = []
        if self.replacedAt == nil && applyingRemovals {
            var cursor = 0
            for path in self.sortedPaths {
                while cursor < scanned.count && scanned[cursor].path < path { cursor += 1 }
                if cursor == scanned.count || scanned[cursor].path != path { gone.append(path) }
            }
        }
        CoreSharing.checkpoint()
        for path in gone {
            if let gone = self.entries.removeValue(forKey: path) { self.countNaming(gone.namespaces, by: -1) }
            self.unsettledPaths.remove(path)
            if let index = self.fileIndex(of: path) {
                self.sortedPaths.remove(at: index)
                self.sortedFiles.remove(at: index)
            }
            changes.removed.append(path)
        }
        // From here on, a file written is one whose read may be torn.
        let activity = self.writeActivity
        activity?.startNoting()
        var candidates: [Candidate] = []
        for entry in scanned {
            CoreSharing.checkpoint()
            let path = entry.path
            if !rereadAll, let named, !named.contains(path) { continue }
            let fingerprint = FileFingerprint.of(path)
            if !rereadAll, named == nil || alreadyRead.contains(path), let existing = self.entries[path],
                existing.fingerprint == fingerprint
            {
                continue
            }
            candidates.append(Candidate(path: path, fingerprint: fingerprint, knownHash: self.entries[path]?.contentHash))
        }
        // Reading and parsing are independent per file: done on every core, applied in path order.
        let limits = self.limits
        let confinement = ManifestDirectory.confinement(of: self.root)
        let zoneReader = self.zoneReader
        let outcomes = ParallelMap.map(candidates) {
            Self.read($0, limits: limits, confinedTo: confinement, zoneReader: zoneReader)
        }
        activity?.catchUp()
        for (candidate, outcome) in zip(candidates, outcomes) {
            let path = candidate.path
            // Read while a writer had it truncated or half-written: what it held stays, and its
            // fingerprint too, so that it is read again (listed as deferred; its writer's close is
            // an event of its own too).
            if let activity, activity.wasWrittenDuringReads(path) {
                changes.deferred.append(path)
                continue
            }
            switch outcome {
            case .torn:
                changes.deferred.append(path)
            case .unchanged:
                self.entries[path]?.fingerprint = candidate.fingerprint
            case .parsed(let file, let hash, let source):
                self.replace(path, with: file, fingerprint: candidate.fingerprint, hash: hash, source: source, changes: &changes)
            }
        }
        changes.added.sort()
        changes.changed.sort()
        changes.removed.sort()
        changes.deferred.sort()
        return changes
    }

    /// A file to look at again, with the hash of the bytes it held when last read.
    private struct Candidate: Sendable {
        var path: String
        var fingerprint: FileFingerprint?
        var knownHash: UInt64?
    }

    private enum ReadOutcome: Sendable {
        /// Same bytes as before (touched, or rewritten identically): nothing to parse.
        case unchanged
        /// Read while a writer was at it: maybe part of a file being rewritten.
        case torn
        /// With the bytes when the file's objects could be set aside later.
        case parsed(ManifestFile, hash: UInt64, source: [UInt8]? = nil)
    }

    private static func read(
        _ candidate: Candidate, limits: ManifestLimits, confinedTo root: String?, zoneReader: ZoneFileReader?
    ) -> ReadOutcome {
        let path = candidate.path
        switch ManifestDirectory.readBytes(path, limits: limits, confinedTo: root) {
        case .failure(let diagnostic):
            return .parsed(ManifestFile(path: path, diagnostics: [diagnostic], failedToParse: true), hash: 0)
        case .success(let read) where !read.isSteady:
            return .torn
        case .success(let read):
            let bytes = read.bytes
            let hash = Self.hash(bytes)
            if candidate.knownHash == hash { return .unchanged }
            let file = bytes.withUnsafeBytes { ManifestDirectory.parse($0, path: path, limits: limits, zoneReader: zoneReader) }
            let keepsSource = !file.failedToParse && file.zone == nil && !file.objects.isEmpty
            return .parsed(file, hash: hash, source: keepsSource ? bytes : nil)
        }
    }

    private mutating func replace(
        _ path: String, with parsed: ManifestFile, fingerprint: FileFingerprint?, hash: UInt64, source: [UInt8]?,
        changes: inout Changes
    ) {
        var file = parsed
        let index = self.sortedPaths.partitioningIndex { $0 >= path }
        if self.entries[path] != nil {
            if parsed.failedToParse {
                // A half-written or broken file never blanks what it held.
                let existing = self.sortedFiles[index]
                file.objects = self.objects(of: existing)
                file.skippedKinds = existing.skippedKinds
                file.zone = existing.zone
                changes.keptLastGood.append(path)
            }
            changes.changed.append(path)
            self.sortedFiles[index] = file
        } else {
            changes.added.append(path)
            self.sortedPaths.insert(path, at: index)
            self.sortedFiles.insert(file, at: index)
        }
        let namespaces = ManifestObject.subjectNamespaces(of: file.objects)
        let previous = self.entries[path]?.namespaces ?? []
        if namespaces != previous {
            self.countNaming(previous.subtracting(namespaces), by: -1)
            self.countNaming(namespaces.subtracting(previous), by: 1)
        }
        self.entries[path] = Entry(
            fingerprint: fingerprint, contentHash: hash, namespaces: namespaces, source: source.map(Entry.Source.read))
        self.unsettledPaths.insert(path)
    }

    /// Counts files naming `namespaces` up or down by one.
    private mutating func countNaming(_ namespaces: Set<String>, by delta: Int) {
        for namespace in namespaces {
            let before = self.filesNaming[namespace, default: 0]
            let after = before + delta
            self.filesNaming[namespace] = after > 0 ? after : nil
            // From one file to two or back: the other file's exclusivity changes. From none to one
            // or back concerns only the file counted, which is unsettled (or gone) anyway.
            if min(before, after) == 1 && max(before, after) == 2 { self.exclusivityMoved = true }
        }
    }

    /// The objects of `file`, one of `files`: its own, or, when they are set aside, parsed again
    /// from the bytes they were parsed from.
    package func objects(of file: ManifestFile) -> [ManifestObject] {
        guard let entry = self.entries[file.path], entry.isSetAside, let source = entry.source else { return file.objects }
        guard let bytes = source.bytes else { return file.objects }
        let limits = self.limits
        let zoneReader = self.zoneReader
        return bytes.withUnsafeBytes { ManifestDirectory.parse($0, path: file.path, limits: limits, zoneReader: zoneReader) }
            .objects
    }

    /// Sets aside the objects of every file that is the only one naming its namespaces (see the
    /// type's comment), and gives a set-aside file its objects back once another file names one of
    /// its namespaces. Files that share a namespace drop their kept bytes: they keep their objects.
    package mutating func setAsideExclusiveFiles() {
        // After the first build, nearly every file is already as it should be: a one-file reload
        // at L looked at a thousand entries (each copy a few cache misses) to change one.
        let paths = self.exclusivityMoved ? self.sortedPaths : self.unsettledPaths.sorted()
        self.unsettledPaths = []
        self.exclusivityMoved = false
        for path in paths {
            CoreSharing.checkpoint()
            guard var entry = self.entries[path], let index = self.fileIndex(of: path) else { continue }
            let exclusive = entry.namespaces.allSatisfy { self.filesNaming[$0] == 1 }
            if entry.isSetAside {
                guard !exclusive else { continue }
                self.sortedFiles[index].objects = self.objects(of: self.sortedFiles[index])
                entry.isSetAside = false
                entry.source = nil
            } else if exclusive, entry.source != nil, !self.sortedFiles[index].failedToParse {
                self.sortedFiles[index].objects = []
                entry.isSetAside = true
                self.undeflatedPaths.insert(path)
            } else if entry.source != nil {
                entry.source = nil
            } else {
                continue
            }
            self.entries[path] = entry
        }
    }

    /// Deflates the kept bytes of the files set aside since the last call (see `Entry.Source`);
    /// a file zlib fails on keeps them as read.
    package mutating func deflateKeptBytes() {
        for path in self.undeflatedPaths.sorted() {
            CoreSharing.checkpoint()
            guard var entry = self.entries[path], entry.isSetAside, case .read = entry.source,
                let deflated = entry.source?.deflated
            else { continue }
            entry.source = .deflated(deflated)
            self.entries[path] = entry
        }
        self.undeflatedPaths = []
    }

    /// The position of `path` in `sortedPaths` and `sortedFiles`.
    private func fileIndex(of path: String) -> Int? {
        let index = self.sortedPaths.partitioningIndex { $0 >= path }
        return index < self.sortedPaths.count && self.sortedPaths[index] == path ? index : nil
    }

    /// A directory's device and inode: a root removed and made again is another directory.
    private static func identity(of path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }

    /// Whether files missing from a replaced root are still being kept.
    package var isSettlingReplacement: Bool { self.replacedAt != nil }

    /// A 64-bit fingerprint of a file's bytes, eight bytes at a step (FNV-1a's prime on words,
    /// each step a bijection of the state, so two contents of one length that differ in one word
    /// always differ here), then the length. Kept in memory only, to tell a re-read file unchanged.
    /// Byte-at-a-time FNV-1a was 1% of the start at L.
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { buffer in
            var index = 0
            while index + 8 <= buffer.count {
                if index & 0x1_ffff == 0 { CoreSharing.checkpoint() }
                hash = (hash ^ buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x100_0000_01b3
                hash ^= hash >> 29
                index += 8
            }
            var tail: UInt64 = 0
            for offset in index..<buffer.count { tail = tail << 8 | UInt64(buffer[offset]) }
            hash = (hash ^ tail) &* 0x100_0000_01b3
            hash ^= hash >> 29
        }
        return (hash ^ UInt64(bytes.count)) &* 0x100_0000_01b3
    }
}
