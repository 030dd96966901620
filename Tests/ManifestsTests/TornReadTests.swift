import Foundation
import Synchronization
import Testing

@testable import Manifests

/// A file rewritten in place is truncated, then written: a read in between must not stand for
/// the file. Both guards are checked: the kernel's word that a writer has the file open, and the
/// watcher's word that the file was written while it was read.
@Suite("Reads of a file being rewritten")
struct TornReadTests {
    /// Whether this file system grants read leases to this process (the first guard needs them).
    static let leasesWork: Bool = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lease-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: Data("x".utf8)) else { return false }
        defer { unlink(path) }
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        guard fcntl(descriptor, 1024, Int32(F_RDLCK)) == 0 else { return false }  // F_SETLEASE
        _ = fcntl(descriptor, 1024, Int32(F_UNLCK))
        return true
    }()

    private func makeRoot() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("torn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    private func namespace(_ name: String) -> String { "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(name)}\n" }

    /// Opens `path` as a writer rewriting it does: truncated, for writing.
    private func openTruncating(_ path: String) throws -> FileHandle {
        let descriptor = open(path, O_WRONLY | O_TRUNC)
        try #require(descriptor >= 0)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    @Test(.enabled(if: leasesWork)) func aFileOpenForWritingIsNotSteadyUntilClosed() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("a.yaml").path
        try namespace("old").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try ManifestDirectory.readBytes(path).get().isSteady)

        let writer = try openTruncating(path)
        let truncated = try ManifestDirectory.readBytes(path).get()
        #expect(truncated.bytes.isEmpty)
        #expect(!truncated.isSteady, "an empty file with its writer still at it")
        writer.write(Data(namespace("new").utf8))
        #expect(try !ManifestDirectory.readBytes(path).get().isSteady)
        try writer.close()
        let finished = try ManifestDirectory.readBytes(path).get()
        #expect(finished.isSteady)
        #expect(String(decoding: finished.bytes, as: UTF8.self) == namespace("new"))
    }

    @Test(.enabled(if: leasesWork)) func aWriterIdleLongerThanTheExpiryDoesNotHoldTheFileBack() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("a.yaml").path
        try namespace("old").write(toFile: path, atomically: false, encoding: .utf8)
        let writer = FileHandle(forWritingAtPath: path)
        defer { try? writer?.close() }
        try #require(writer != nil)
        // Last written a minute ago: a writer that keeps the file open without writing.
        let minuteAgo = Date().addingTimeInterval(-60)
        try FileManager.default.setAttributes([.modificationDate: minuteAgo], ofItemAtPath: path)
        #expect(try ManifestDirectory.readBytes(path).get().isSteady)
    }

    @Test(.enabled(if: leasesWork)) func theTreeKeepsWhatAFileHeldWhileItsWriterIsAtIt() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("a.yaml").path
        try namespace("old").write(toFile: path, atomically: false, encoding: .utf8)
        var tree = ManifestTree(root: root.path)
        tree.refresh(rereadAll: true)

        let writer = try openTruncating(path)
        let held = tree.refresh(named: [path])
        #expect(held.isEmpty && held.deferred == [path])
        #expect(tree.refresh(rereadAll: true).deferred == [path])
        #expect(tree.files.first?.objects.map(\.metadata.name) == ["old"])
        writer.write(Data(namespace("new").utf8))
        try writer.close()
        #expect(tree.refresh(named: [path]).changed == [path])
        #expect(tree.files.first?.objects.map(\.metadata.name) == ["new"])
    }

    /// A watcher's word, set by the test.
    final class ScriptedActivity: WriteActivity {
        private let state = Mutex((written: Set<String>(), calls: [String]()))
        func write(_ path: String) { self.state.withLock { _ = $0.written.insert(path) } }
        var calls: [String] { self.state.withLock { $0.calls } }
        func startNoting() { self.state.withLock { $0.calls.append("startNoting") } }
        func catchUp() { self.state.withLock { $0.calls.append("catchUp") } }
        func wasWrittenDuringReads(_ path: String) -> Bool { self.state.withLock { $0.written.contains(path) } }
    }

    @Test func aFileTheWatcherSawWrittenDuringTheReadKeepsWhatItHeldUntilReadAgain() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let a = root.appendingPathComponent("a.yaml").path
        let b = root.appendingPathComponent("b.yaml").path
        try namespace("a-old").write(toFile: a, atomically: false, encoding: .utf8)
        try namespace("b-old").write(toFile: b, atomically: false, encoding: .utf8)
        var tree = ManifestTree(root: root.path)
        tree.refresh(rereadAll: true)

        let activity = ScriptedActivity()
        tree.writeActivity = activity
        // Of another length: the fingerprint differs even within one tick of the file times.
        try namespace("a-newer").write(toFile: a, atomically: false, encoding: .utf8)
        try namespace("b-new").write(toFile: b, atomically: false, encoding: .utf8)
        activity.write(a)
        let changes = tree.refresh(named: [a, b])
        #expect(changes.changed == [b], "b read whole; a written meanwhile")
        #expect(changes.deferred == [a])
        #expect(activity.calls == ["startNoting", "catchUp"])
        #expect(tree.files.map { $0.objects.map(\.metadata.name) } == [["a-old"], ["b-new"]])

        // Its fingerprint was left too: a rescan by `stat` reads it once the watcher is quiet.
        tree.writeActivity = ScriptedActivity()
        #expect(tree.refresh().changed == [a])
        #expect(tree.files.map { $0.objects.map(\.metadata.name) } == [["a-newer"], ["b-new"]])
    }
}
