import Foundation
import Testing
import Watcher

@Suite("inotify on a real directory")
struct InotifyWatcherTests {
    /// Polls the inbox (at most 5 s) until `condition` holds for what has accumulated.
    private func eventually(_ inbox: ChangeInbox, _ condition: (ChangeBatch) -> Bool) -> ChangeBatch {
        var collected = ChangeBatch()
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            collected.merge(inbox.drain())
            if condition(collected) { return collected }
            usleep(5_000)
        }
        return collected
    }

    /// A fresh directory under watch, removed after `body`.
    private func watching(_ body: (_ root: URL, _ inbox: ChangeInbox, _ watcher: InotifyWatcher) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let inbox = ChangeInbox()
        let watcher = InotifyWatcher(root: root.path, inbox: inbox)
        try watcher.start()
        defer { watcher.stop() }
        try body(root, inbox, watcher)
    }

    @Test func finishedWritesRenamesAndNewDirectoriesAreReported() throws {
        try self.watching { root, inbox, watcher in
            let file = root.appendingPathComponent("a.yaml").path
            try "x: 1\n".write(toFile: file, atomically: false, encoding: .utf8)
            #expect(eventually(inbox) { $0.paths.contains(file) }.paths.contains(file))

            // Save by rename: the final name is reported.
            let temporary = root.appendingPathComponent(".a.yaml.tmp").path
            try "x: 2\n".write(toFile: temporary, atomically: false, encoding: .utf8)
            _ = inbox.drain()
            #expect(rename(temporary, file) == 0)
            #expect(eventually(inbox) { $0.paths.contains(file) }.paths.contains(file))

            // A new subdirectory is watched, and files in it are reported.
            let subdirectory = root.appendingPathComponent("new/deeper")
            try FileManager.default.createDirectory(at: subdirectory, withIntermediateDirectories: true)
            usleep(50_000)
            let nested = subdirectory.appendingPathComponent("b.yaml").path
            try "y: 1\n".write(toFile: nested, atomically: false, encoding: .utf8)
            #expect(eventually(inbox) { $0.paths.contains(nested) }.paths.contains(nested))
            #expect(watcher.watchedDirectoryCount == 3)

            // Deletion is reported.
            _ = inbox.drain()
            try FileManager.default.removeItem(atPath: file)
            #expect(eventually(inbox) { $0.paths.contains(file) }.paths.contains(file))
        }
    }

    /// An editor's or a tool's temporary file (created, written, closed, then renamed into place)
    /// is no change of its own: the debounce window starts with the rename, not with the create.
    @Test func aTemporaryFileStartsNoDebounceWindow() throws {
        try self.watching { root, inbox, _ in
            let temporary = root.appendingPathComponent("web.yaml.tmp").path
            let file = root.appendingPathComponent("web.yaml").path
            try "x: 1\n".write(toFile: temporary, atomically: false, encoding: .utf8)
            let beforeRename = ContinuousClock.now
            #expect(rename(temporary, file) == 0)
            // Events arrive in order: once the rename is in, the temporary file's create and close were seen.
            let deadline = ContinuousClock.now + .seconds(5)
            while !inbox.pending.paths.contains(file), ContinuousClock.now < deadline { usleep(2_000) }
            let pending = inbox.pending
            #expect(pending.paths.contains(file))
            #expect(!pending.rereadAll)
            let firstEvent = try #require(inbox.pendingTimes.first)
            #expect(firstEvent >= beforeRename, "the window started before the rename, with the temporary file")
        }
    }

    @Test func configMapStyleSymlinkSwapAsksForAFullReread() throws {
        try self.watching { root, inbox, _ in
            try FileManager.default.createDirectory(at: root.appendingPathComponent("..v2"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("..data_tmp").path, withDestinationPath: "..v2")
            #expect(rename(root.appendingPathComponent("..data_tmp").path, root.appendingPathComponent("..data").path) == 0)
            #expect(eventually(inbox) { $0.rereadAll }.rereadAll)
        }
    }
}

@Suite("inotify: roots spelled unusually")
struct InotifyRootSpellingTests {
    /// How a root is given: one file (`--manifests cluster.yaml`), or a directory with a trailing
    /// dot (`--manifests .` or `dir/.`), whose parent is its real parent, not itself.
    enum Spelling: CaseIterable, Sendable {
        case singleFile, trailingDot
    }

    @Test(arguments: Spelling.allCases)
    func aWriteUnderTheRootIsReported(_ spelling: Spelling) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spelled-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (root, file): (String, String)
        switch spelling {
        case .singleFile:
            file = directory.appendingPathComponent("cluster.yaml").path
            root = file
            try "x: 1\n".write(toFile: file, atomically: false, encoding: .utf8)
        case .trailingDot:
            root = directory.path + "/."
            file = root + "/a.yaml"
        }
        let inbox = ChangeInbox()
        let watcher = InotifyWatcher(root: root, inbox: inbox)
        try watcher.start()
        defer { watcher.stop() }
        try "x: 2\n".write(toFile: file, atomically: false, encoding: .utf8)
        var collected = ChangeBatch()
        let deadline = Date().addingTimeInterval(5)
        while !collected.paths.contains(file), Date() < deadline {
            collected.merge(inbox.drain())
            usleep(5_000)
        }
        #expect(collected.paths.contains(file))
    }
}

@Suite("inotify: files being written")
struct InotifyWriteActivityTests {
    @Test func aFileIsBeingWrittenFromItsTruncationToItsClose() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("writes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("a.yaml").path
        let other = root.appendingPathComponent("b.yaml").path
        try "x: 1\n".write(toFile: file, atomically: false, encoding: .utf8)
        try "y: 1\n".write(toFile: other, atomically: false, encoding: .utf8)
        let watcher = InotifyWatcher(root: root.path, inbox: ChangeInbox())
        try watcher.start()
        defer { watcher.stop() }

        watcher.startNoting()
        #expect(!watcher.wasWrittenDuringReads(file))
        let descriptor = open(file, O_WRONLY | O_TRUNC)
        try #require(descriptor >= 0)
        watcher.catchUp()
        #expect(watcher.wasWrittenDuringReads(file), "truncated since noting began")
        #expect(!watcher.wasWrittenDuringReads(other))

        // Noting again: the truncation is older, but the writer has not closed the file.
        watcher.startNoting()
        #expect(watcher.wasWrittenDuringReads(file), "open for writing")
        #expect(write(descriptor, "x: 2\n", 5) == 5)
        close(descriptor)
        watcher.startNoting()
        #expect(!watcher.wasWrittenDuringReads(file), "closed before noting began")

        // A file replaced by a rename while it is read is written too.
        let temporary = root.appendingPathComponent(".b.yaml.tmp").path
        try "y: 2\n".write(toFile: temporary, atomically: false, encoding: .utf8)
        watcher.startNoting()
        #expect(rename(temporary, other) == 0)
        watcher.catchUp()
        #expect(watcher.wasWrittenDuringReads(other))
    }
}
