import Glibc
import CoreSharing

/// The manifest tree on disk: which files belong to it, and reading them. The thin I/O edge of
/// the loader; parsing itself is `ManifestParser`, pure.
package enum ManifestDirectory {
    /// A manifest file found on disk.
    package struct Entry: Sendable, Hashable, Comparable {
        /// The path as shown to users: the root as given, then the relative path (`zones/dev/web.yaml`).
        package var path: String

        package init(path: String) { self.path = path }

        package static func < (lhs: Entry, rhs: Entry) -> Bool { lhs.path < rhs.path }
    }

    /// Whether a file name is a manifest: `.yaml`, `.yml` or `.json`, or a zone file (`.zone`),
    /// and not hidden, an editor's temporary file or backup (`.#x`, `#x#`, `x~`, `.x.swp`), or a
    /// ConfigMap's `..data` internals.
    package static func isManifestName(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasPrefix("#") || name.hasSuffix("~") { return false }
        return name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") || Self.isZoneFileName(name)
    }

    /// Whether a file is an RFC 1035 master file to serve as a zone.
    package static func isZoneFileName(_ name: String) -> Bool { name.hasSuffix(".zone") }

    /// Parses one file's bytes: a zone file with `zoneReader` (refused without one), any other
    /// with `ManifestParser`.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, path: String, limits: ManifestLimits, zoneReader: ZoneFileReader?
    ) -> ManifestFile {
        guard Self.isZoneFileName(path) else { return ManifestParser.parse(bytes, path: path, limits: limits) }
        guard let zoneReader else {
            return ManifestFile(
                path: path, diagnostics: [.error(at: SourceLocation(file: path, line: 1, column: 0), "zone files are not read here")],
                failedToParse: true)
        }
        return zoneReader(bytes, path)
    }

    /// Whether a directory is walked: hidden ones (`.git`, ConfigMap `..2024_...` folders) are not.
    package static func isWalkedDirectoryName(_ name: String) -> Bool { !name.hasPrefix(".") }

    /// The path without trailing slashes (but `/` stays `/`).
    package static func normalizedRoot(_ root: String) -> String {
        var root = root
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        return root
    }

    /// Every manifest file under `root` (or `root` itself when it is a file), sorted by path.
    /// Symlinks are followed (ConfigMap mounts are symlinks) while they stay under the root: one
    /// that leads outside is listed, so that reading it gives the refusal, but never followed.
    /// Each directory is visited once, so a symlink loop ends. Returns nil when `root` does not
    /// exist or cannot be read.
    package static func scan(_ root: String) -> [Entry]? {
        let root = Self.normalizedRoot(root)
        var info = stat()
        guard stat(root, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) != S_IFDIR {
            return [Entry(path: root)]
        }
        var entries: [Entry] = []
        var visited: Set<[UInt64]> = []
        Self.walk(root, into: &entries, visited: &visited, depth: 0, realRoot: Self.realPath(root))
        CoreSharing.checkpoint()
        entries.sort()
        CoreSharing.checkpoint()
        return entries
    }

    /// The canonical absolute path of `path` (symlinks resolved), nil when it cannot be resolved.
    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` (canonical) is `root` (canonical) or below it.
    package static func isConfined(_ path: String, to root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }

    private static func walk(
        _ directory: String, into entries: inout [Entry], visited: inout Set<[UInt64]>, depth: Int, realRoot: String?
    ) {
        var info = stat()
        guard depth < 64, stat(directory, &info) == 0 else { return }
        guard visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { return }
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        // The entry type readdir gives saves a stat per file (a thousand-file tree is rescanned on
        // every change); symlinks and file systems that do not fill it in are stat'ed.
        var children: [(name: String, type: UInt8)] = []
        while let entry = readdir(handle) {
            CoreSharing.checkpoint()
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            children.append((name, entry.pointee.d_type))
        }
        children.sort { $0.name < $1.name }
        for (name, type) in children {
            CoreSharing.checkpoint()
            var isDirectory = type == UInt8(DT_DIR)
            var isFile = type == UInt8(DT_REG)
            if !isDirectory && !isFile {
                guard type == UInt8(DT_LNK) || type == UInt8(DT_UNKNOWN) else { continue }
                let path = directory == "/" ? "/" + name : directory + "/" + name
                var childInfo = stat()
                guard stat(path, &childInfo) == 0 else { continue }  // a dangling symlink
                isDirectory = (childInfo.st_mode & S_IFMT) == S_IFDIR
                isFile = (childInfo.st_mode & S_IFMT) == S_IFREG
                // A link out of the tree is never followed; listed (when it could be a manifest
                // or a folder of them), reading it gives the refusal.
                if type == UInt8(DT_LNK), let realRoot, let target = Self.realPath(path), !Self.isConfined(target, to: realRoot) {
                    if (isDirectory && Self.isWalkedDirectoryName(name)) || (isFile && Self.isManifestName(name)) {
                        entries.append(Entry(path: path))
                    }
                    continue
                }
            }
            if isDirectory, Self.isWalkedDirectoryName(name) {
                Self.walk(
                    directory == "/" ? "/" + name : directory + "/" + name, into: &entries, visited: &visited, depth: depth + 1,
                    realRoot: realRoot)
            } else if isFile, Self.isManifestName(name) {
                entries.append(Entry(path: directory == "/" ? "/" + name : directory + "/" + name))
            }
        }
    }

    /// Reads and parses one file. A file that cannot be read, or is over the size limit, gives a
    /// failed `ManifestFile` with a diagnostic (the size is checked before reading).
    package static func load(
        _ path: String, limits: ManifestLimits = .standard, confinedTo root: String? = nil, zoneReader: ZoneFileReader? = nil
    ) -> ManifestFile {
        switch Self.read(path, limits: limits, confinedTo: root) {
        case .success(let bytes):
            return bytes.withUnsafeBytes { Self.parse($0, path: path, limits: limits, zoneReader: zoneReader) }
        case .failure(let diagnostic):
            return ManifestFile(path: path, diagnostics: [diagnostic], failedToParse: true)
        }
    }

    /// The bytes of `path`, or a diagnostic saying why they cannot be had. With `root` (the
    /// tree's canonical path), only a file that really lies under it is read: what was opened is
    /// checked after opening, so a link swapped in between cannot lead out either, and a refusal
    /// names the link, never what it leads to.
    package static func read(_ path: String, limits: ManifestLimits = .standard, confinedTo root: String? = nil)
        -> Result<[UInt8], ManifestDiagnostic>
    {
        Self.readBytes(path, limits: limits, confinedTo: root).map(\.bytes)
    }

    /// `read`, saying also whether a writer was at the file while it was read (see `FileBytes`).
    package static func readBytes(_ path: String, limits: ManifestLimits = .standard, confinedTo root: String? = nil)
        -> Result<FileBytes, ManifestDiagnostic>
    {
        let location = SourceLocation(file: path, line: 1, column: 1)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            return .failure(.error(at: location, "cannot read file: \(String(cString: strerror(errno)))"))
        }
        defer { close(descriptor) }
        if let root {
            let opened = Self.realPath("/proc/self/fd/\(descriptor)") ?? Self.realPath(path)
            guard let opened, Self.isConfined(opened, to: root) else {
                return .failure(
                    .error(at: location, "not read: a symlink to a path outside the manifest directory (\(root))"))
            }
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            return .failure(.error(at: location, "cannot read file: \(String(cString: strerror(errno)))"))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(.error(at: location, "not read: not a regular file"))
        }
        let size = Int(info.st_size)
        guard size <= limits.maximumFileSize else {
            return .failure(
                .error(at: location, "file is \(size) bytes, more than the limit of \(limits.maximumFileSize)"))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(descriptor, base + filled, size - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.error(at: location, "cannot read file: \(String(cString: strerror(errno)))"))
            }
            if count == 0 { break }
            filled += count
        }
        // The file may have shrunk while we read it (a writer truncating it).
        if filled < size { bytes.removeLast(size - filled) }
        // Asked before the last fstat: a writer that closes the file before it is asked has
        // finished its writes before that fstat, which then sees them. A writer that has held the
        // file open without writing for a while is no reason to wait: it may never close it.
        let heldForWriting = Self.isRecent(info.st_mtim) && Self.isOpenForWriting(descriptor)
        var after = stat()
        let unchanged =
            fstat(descriptor, &after) == 0 && after.st_size == info.st_size
            && after.st_mtim.tv_sec == info.st_mtim.tv_sec && after.st_mtim.tv_nsec == info.st_mtim.tv_nsec
            && after.st_ctim.tv_sec == info.st_ctim.tv_sec && after.st_ctim.tv_nsec == info.st_ctim.tv_nsec
        let steady = filled == size && unchanged && !heldForWriting
        return .success(FileBytes(bytes: bytes, isSteady: steady))
    }

    /// How long a writer that wrote to a file and has not closed it counts as still writing it.
    /// `truncate(2)` by path never opens the file, and a writer may keep a file open long after
    /// its last write; past this, the file is read as it is.
    package static let unclosedWriteExpiry: Duration = .seconds(5)

    /// Whether a file time is less than `unclosedWriteExpiry` ago. A time in the future (set by
    /// hand, or another machine's clock) says nothing of a writer: not recent.
    private static func isRecent(_ time: timespec) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let age = Duration.seconds(now.tv_sec - time.tv_sec) + .nanoseconds(now.tv_nsec - time.tv_nsec)
        return age >= .zero && age < Self.unclosedWriteExpiry
    }

    /// Whether some process has the file of `descriptor` (opened read-only) open for writing: the
    /// kernel refuses a read lease then (fcntl(2), F_SETLEASE). A writer that truncates a file
    /// and writes it again holds it open throughout, while its inotify events can come after the
    /// truncation is visible. A lease granted is given back at once; a writer opening the file in
    /// between waits for that (one opening with O_NONBLOCK gets EWOULDBLOCK), and the
    /// lease-break signal is set to SIGURG, which is ignored unless handled (SIGIO, the default,
    /// would end the process). Where leases are not allowed (a file of another user without
    /// CAP_LEASE, a file system without leases) it says false.
    private static func isOpenForWriting(_ descriptor: Int32) -> Bool {
        // <fcntl.h> defines these only with _GNU_SOURCE: F_SETSIG is 10, F_SETLEASE is
        // F_LINUX_SPECIFIC_BASE (1024) + 0.
        let setSignal: Int32 = 10
        let setLease: Int32 = 1024
        guard fcntl(descriptor, setSignal, SIGURG) == 0 else { return false }
        if fcntl(descriptor, setLease, Int32(F_RDLCK)) == 0 {
            _ = fcntl(descriptor, setLease, Int32(F_UNLCK))
            return false
        }
        return errno == EAGAIN
    }

    /// Scans and loads every file under `root`, in path order.
    package static func loadAll(_ root: String, limits: ManifestLimits = .standard, zoneReader: ZoneFileReader? = nil)
        -> [ManifestFile]?
    {
        guard let entries = Self.scan(root) else { return nil }
        let realRoot = Self.confinement(of: root)
        return ParallelMap.map(entries.map(\.path)) {
            Self.load($0, limits: limits, confinedTo: realRoot, zoneReader: zoneReader)
        }
    }

    /// What reads of the tree at `root` are confined to: the root's canonical path when it is a
    /// directory (a single-file root confines nothing but itself).
    package static func confinement(of root: String) -> String? {
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
        return Self.realPath(root)
    }
}
