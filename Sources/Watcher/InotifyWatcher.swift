import Foundation
import Glibc
import Manifests
import Synchronization

/// Watches a manifest tree with inotify: every directory of it (new ones as they appear), for
/// writes, renames into and out of place, creation, deletion and ConfigMap-style `..data`
/// symlink swaps. Events are posted to a `ChangeInbox`; an event queue overflow asks for a full
/// rescan. The root's parent is watched too, for the root itself: removed and made again (or
/// another directory renamed into its place), it is watched again. Reads happen on a thread of
/// its own, which `stop()` ends.
///
/// It also notes which files are being written (see `WriteActivity`): a write or truncation is
/// an `IN_MODIFY`, and the file is being written until an `IN_CLOSE_WRITE` of it, or for
/// `ManifestDirectory.unclosedWriteExpiry` after its last write.
package final class InotifyWatcher: WriteActivity {
    private struct State {
        var descriptor: Int32 = -1
        /// A pipe `stop()` writes to, so that the reader wakes at once instead of polling a flag.
        var wakeup: (read: Int32, write: Int32) = (-1, -1)
        /// Watch descriptor → directory path.
        var directories: [Int32: String] = [:]
        /// The watch on the root's parent directory (-1: none).
        var parentWatch: Int32 = -1
        var running = false
        /// Files written since `startNoting()`. After a queue overflow some writes were never
        /// seen: the reads' own steadiness checks (`ManifestDirectory.readBytes`) stand alone then.
        var writtenSinceNoting: Set<String> = []
        /// Files written to by a writer that has not closed them, with when it last wrote (a
        /// close by any writer of the file ends it; past `unclosedWriteExpiry` it no longer counts).
        var openWrites: [String: ContinuousClock.Instant] = [:]
    }

    private let root: String
    /// The root's parent directory and the root's name in it (nil for `/`).
    private let parent: (path: String, name: String)?
    private let inbox: ChangeInbox
    private let state = Mutex(State())
    /// The buffer events are read into. Held while events are read and handled (by the reader
    /// thread, `startNoting()` and `catchUp()`) and while the reader thread closes the
    /// descriptor, so that events are handled one batch at a time, in order.
    private let reading = Mutex([UInt8](repeating: 0, count: 64 * 1024))

    /// What inotify reports (`IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE`,
    /// the directory's own deletion or move, and `IN_MODIFY` for files being written).
    static let mask: UInt32 =
        UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_MOVED_FROM) | UInt32(IN_CREATE) | UInt32(IN_DELETE)
        | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_ATTRIB) | UInt32(IN_MODIFY)

    package init(root: String, inbox: ChangeInbox) {
        self.root = ManifestDirectory.normalizedRoot(root)
        self.inbox = inbox
        // The parent is found from the root's absolute path with `.` and `..` resolved: taken
        // literally, `--manifests .` (or `dir/.`) would make the root its own parent, one watch
        // for both, and every event at the root's top level would be read as the parent's.
        let absolute = self.root.hasPrefix("/") ? self.root : FileManager.default.currentDirectoryPath + "/" + self.root
        let resolved = URL(fileURLWithPath: absolute).standardizedFileURL.path
        if resolved == "/" {
            self.parent = nil
        } else if let slash = resolved.lastIndex(of: "/") {
            let directory = String(resolved[..<slash])
            self.parent = (directory.isEmpty ? "/" : directory, String(resolved[resolved.index(after: slash)...]))
        } else {
            self.parent = (".", resolved)
        }
    }

    /// What the parent's watch reports: the root appearing or going by name.
    static let parentMask: UInt32 = UInt32(IN_CREATE) | UInt32(IN_MOVED_TO) | UInt32(IN_MOVED_FROM) | UInt32(IN_DELETE)

    /// Starts watching. Throws when inotify cannot be set up.
    package func start() throws {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { throw WatchError.inotifyUnavailable(errno: errno) }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            close(descriptor)
            throw WatchError.inotifyUnavailable(errno: errno)
        }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        let wakeup = (read: ends[0], write: ends[1])
        self.state.withLock { state in
            state.descriptor = descriptor
            state.wakeup = wakeup
            state.running = true
        }
        if let parent = self.parent {
            let watch = inotify_add_watch(descriptor, parent.path, Self.parentMask)
            self.state.withLock { $0.parentWatch = watch }
        }
        self.addWatches(under: self.root)
        let thread = Thread { [self] in self.readLoop(descriptor, wakeup: wakeup) }
        thread.start()
    }

    /// Stops the reader thread (at once: it is woken), which closes the descriptors.
    package func stop() {
        self.state.withLock { state in
            state.running = false
            if state.wakeup.write >= 0 {
                var byte: UInt8 = 1
                _ = write(state.wakeup.write, &byte, 1)
            }
        }
    }

    package var watchedDirectoryCount: Int { self.state.withLock { $0.directories.count } }

    /// Adds a watch on `directory` and every directory below it that the loader walks.
    private func addWatches(under directory: String) {
        var pending = [directory]
        var seen: Set<String> = []
        while let current = pending.popLast() {
            guard seen.insert(current).inserted, seen.count < 100_000 else { continue }
            let added = self.state.withLock { state -> Bool in
                guard state.descriptor >= 0 else { return false }
                let watch = inotify_add_watch(state.descriptor, current, Self.mask)
                guard watch >= 0 else { return false }
                state.directories[watch] = current
                return true
            }
            guard added, let handle = opendir(current) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                guard name != ".", name != "..", ManifestDirectory.isWalkedDirectoryName(name) else { continue }
                let path = current + "/" + name
                var info = stat()
                if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { pending.append(path) }
            }
        }
    }

    private func readLoop(_ descriptor: Int32, wakeup: (read: Int32, write: Int32)) {
        defer {
            // Not while `catchUp()` reads the descriptor.
            self.reading.withLock { _ in
                self.state.withLock { state in
                    state.descriptor = -1
                    state.wakeup = (-1, -1)
                    close(wakeup.write)
                }
                close(descriptor)
            }
            close(wakeup.read)
        }
        while self.state.withLock({ $0.running }) {
            // Blocks until inotify has events or stop() writes the pipe; no timeout, no polling.
            var pollers = [
                pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeup.read, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&pollers, 2, -1)
            guard ready > 0, pollers[0].revents & Int16(POLLIN) != 0 else { continue }
            // One buffer at a time: the lock is let go between reads, so that a writer flooding
            // the queue (every write is an IN_MODIFY) cannot keep `catchUp()` waiting.
            self.reading.withLock { buffer in _ = self.readEvents(into: &buffer) }
        }
    }

    /// Reads one buffer of queued events and handles them; the bytes read, 0 when none were
    /// queued (the descriptor does not block). Called with `reading` held.
    @discardableResult
    private func readEvents(into buffer: inout [UInt8]) -> Int {
        let descriptor = self.state.withLock { $0.descriptor }
        guard descriptor >= 0 else { return 0 }
        var count = -1
        repeat {
            count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        guard count > 0 else { return 0 }
        let batch = buffer.withUnsafeBytes { self.parse(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        // Events that name nothing to read (a file just created, still being written) do not
        // start the debounce window: it starts with the event that completes the file.
        if !batch.paths.isEmpty || batch.rereadAll { self.inbox.post(batch) }
        return count
    }

    /// Reads and handles the events queued now, and no more: events a writer keeps adding while
    /// they are read are left to the reader thread. Called with `reading` held.
    private func readQueuedEvents(into buffer: inout [UInt8]) {
        let descriptor = self.state.withLock { $0.descriptor }
        guard descriptor >= 0 else { return }
        var queued: Int32 = 0
        guard ioctl(descriptor, UInt(FIONREAD), &queued) == 0 else { return }
        var taken = 0
        // A read takes whole events, at most a buffer's worth: a few reads take what was queued.
        while taken < Int(queued) {
            let count = self.readEvents(into: &buffer)
            guard count > 0 else { return }
            taken += count
        }
    }

    package func startNoting() {
        self.reading.withLock { buffer in
            self.readQueuedEvents(into: &buffer)
            // Cleared with `reading` held: no event is handled between the reads and the clearing.
            self.state.withLock { state in
                state.writtenSinceNoting = []
                let now = ContinuousClock.now
                state.openWrites = state.openWrites.filter { now - $0.value < ManifestDirectory.unclosedWriteExpiry }
            }
        }
    }

    package func catchUp() {
        self.reading.withLock { buffer in self.readQueuedEvents(into: &buffer) }
    }

    package func wasWrittenDuringReads(_ path: String) -> Bool {
        self.state.withLock { state in
            if state.writtenSinceNoting.contains(path) { return true }
            guard let lastWrite = state.openWrites[path] else { return false }
            return ContinuousClock.now - lastWrite < ManifestDirectory.unclosedWriteExpiry
        }
    }

    /// Notes what an event on a file says of its being written.
    private func noteWrite(_ path: String, mask: UInt32) {
        self.state.withLock { state in
            state.writtenSinceNoting.insert(path)
            if mask & UInt32(IN_MODIFY) != 0 {
                state.openWrites[path] = .now
            } else if mask & (UInt32(IN_CLOSE_WRITE) | UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM) | UInt32(IN_MOVED_TO)) != 0 {
                state.openWrites[path] = nil
            }
        }
    }

    /// Turns raw inotify records into a batch; new directories get watches of their own.
    private func parse(_ bytes: UnsafeRawBufferPointer) -> ChangeBatch {
        var batch = ChangeBatch()
        var offset = 0
        let headerSize = MemoryLayout<inotify_event>.size
        while offset + headerSize <= bytes.count {
            let event = bytes.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
            let nameStart = offset + headerSize
            let nameEnd = min(nameStart + Int(event.len), bytes.count)
            let name = String(decoding: bytes[nameStart..<nameEnd].prefix(while: { $0 != 0 }), as: UTF8.self)
            offset = nameEnd
            if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                batch.rereadAll = true
                continue
            }
            let isParent = self.state.withLock { $0.parentWatch == event.wd && $0.parentWatch >= 0 }
            if isParent {
                // The root itself, made again or renamed into place: watch the new one, read it whole.
                if name == self.parent?.name, event.mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 {
                    self.addWatches(under: self.root)
                    batch.rereadAll = true
                }
                if name == self.parent?.name { batch.paths.insert(self.root) }
                continue
            }
            let directory = self.state.withLock { state -> String? in
                if event.mask & UInt32(IN_IGNORED) != 0 {
                    state.directories.removeValue(forKey: event.wd)
                    return nil
                }
                if event.mask & UInt32(IN_MOVE_SELF) != 0, let moved = state.directories.removeValue(forKey: event.wd) {
                    // A directory moved away keeps its watch but no longer has this path: drop it
                    // (its new place, if inside the tree, is watched through IN_MOVED_TO).
                    inotify_rm_watch(state.descriptor, event.wd)
                    return moved
                }
                return state.directories[event.wd]
            }
            guard let directory else { continue }
            let path = name.isEmpty ? directory : directory + "/" + name
            let mask = event.mask
            // Content events of a file the tree reads (an empty name: the root is that file).
            let contentEvents =
                UInt32(IN_MODIFY) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_CREATE) | UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM)
                | UInt32(IN_MOVED_TO)
            if mask & UInt32(IN_ISDIR) == 0, mask & contentEvents != 0, name.isEmpty || ManifestDirectory.isManifestName(name) {
                self.noteWrite(path, mask: mask)
            }
            if mask & UInt32(IN_MODIFY) != 0 {
                // A write in progress: the writer's close is the event that completes the file.
                continue
            }
            if name.hasPrefix("..") {
                // A ConfigMap swapped its `..data` link (written whole before the swap): every
                // file behind it may have changed.
                batch.rereadAll = true
                continue
            }
            if mask & UInt32(IN_ISDIR) != 0 {
                if mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0, ManifestDirectory.isWalkedDirectoryName(name) {
                    self.addWatches(under: path)
                    // Files may have landed before the watch existed.
                    for file in ManifestDirectory.scan(path) ?? [] { batch.paths.insert(file.path) }
                }
                batch.paths.insert(path)  // a removed directory: the rescan drops its files
                continue
            }
            // (An empty name: the root is a single file, whose own events these are.)
            if mask & UInt32(IN_CLOSE_WRITE) != 0, !name.isEmpty, !ManifestDirectory.isManifestName(name) {
                // A regular file the tree never reads (an editor's or a tool's temporary file, to
                // be renamed into place: that rename is the event that counts).
                continue
            }
            if mask & UInt32(IN_CREATE) != 0 {
                // A regular file just created is still being written: wait for IN_CLOSE_WRITE.
                // A symlink is complete as soon as it exists.
                var info = stat()
                guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { continue }
            }
            batch.paths.insert(path)
        }
        return batch
    }
}

/// Why watching could not start.
package enum WatchError: Error, CustomStringConvertible {
    case inotifyUnavailable(errno: Int32)

    package var description: String {
        switch self {
        case .inotifyUnavailable(let code): return "inotify is unavailable: \(String(cString: strerror(code)))"
        }
    }
}
