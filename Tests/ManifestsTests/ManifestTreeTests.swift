import Foundation
import Testing

@testable import Manifests

@Suite("The per-file cache of the manifest tree")
struct ManifestTreeTests {
    private func makeRoot() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    private func namespace(_ name: String) -> String { "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(name)}\n" }

    /// A file edited in one byte, anywhere, at any length (the words and the tail alike), or
    /// grown by a zero byte, never keeps its fingerprint: it would be taken as unchanged.
    @Test(arguments: [1, 7, 8, 9, 16, 23, 64, 1001])
    func everyOneByteEditChangesTheFingerprint(length: Int) {
        let original = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let hash = ManifestTree.hash(original)
        for position in 0..<length {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var edited = original
                edited[position] ^= flip
                #expect(ManifestTree.hash(edited) != hash, "byte \(position) ^ \(flip)")
            }
        }
        #expect(ManifestTree.hash(original + [0]) != hash)
        #expect(ManifestTree.hash([0] + original) != hash)
    }

    @Test func onlyChangedFilesAreReread() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["a", "b", "c"] {
            try namespace(name).write(to: root.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        var tree = ManifestTree(root: root.path)
        #expect(tree.refresh(rereadAll: true).added.count == 3)
        // Nothing changed: nothing to do, even when asked to re-read everything (same hashes).
        #expect(tree.refresh(rereadAll: true).isEmpty)
        try namespace("b2").write(to: root.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let changes = tree.refresh()
        #expect(changes.changed == [root.appendingPathComponent("b.yaml").path])
        #expect(tree.files.flatMap(\.objects).map(\.metadata.name) == ["a", "b2", "c"])
    }

    @Test func aBrokenFileKeepsItsLastGoodObjects() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("a.yaml")
        try namespace("good").write(to: path, atomically: true, encoding: .utf8)
        var tree = ManifestTree(root: root.path)
        tree.refresh(rereadAll: true)
        try "apiVersion: v1\nkind: Namespace\nmetadata: {name: [".write(to: path, atomically: true, encoding: .utf8)
        let changes = tree.refresh(named: [path.path])
        #expect(changes.keptLastGood == [path.path])
        let file = try #require(tree.files.first)
        #expect(file.objects.map(\.metadata.name) == ["good"])
        #expect(file.diagnostics.count == 1 && file.diagnostics[0].message.hasPrefix("not valid YAML"))
        try namespace("fixed").write(to: path, atomically: true, encoding: .utf8)
        tree.refresh(named: [path.path])
        #expect(tree.files.first?.objects.map(\.metadata.name) == ["fixed"])
        #expect(tree.files.first?.diagnostics.isEmpty == true)
    }

    private func service(_ name: String, in namespace: String) -> String {
        "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: \(namespace)}\nspec: {ports: [{port: 80}]}\n"
    }

    /// A file's bytes are kept as read until `deflateKeptBytes` (nothing is deflated on the way
    /// to an answer), its objects set aside before that and parsed again from either form; a file
    /// that shares its namespace keeps no bytes.
    @Test func keptBytesAreDeflatedOnlyWhenAsked() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let alone = namespace("a") + "---\n" + service("web", in: "a")
        try alone.write(to: root.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try service("db", in: "b").write(to: root.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try service("cache", in: "b").write(to: root.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
        var tree = ManifestTree(root: root.path)
        tree.refresh(rereadAll: true)
        let paths = ["a", "b", "c"].map { root.appendingPathComponent("\($0).yaml").path }
        let parsed = tree.files
        for path in paths {
            guard case .read(let bytes) = tree.entries[path]?.source else {
                Issue.record("\(path): no bytes kept as read")
                continue
            }
            #expect(bytes == Array((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()))
        }
        tree.setAsideExclusiveFiles()
        #expect(tree.entries[paths[0]]?.isSetAside == true && tree.files[0].objects.isEmpty)
        guard case .read = tree.entries[paths[0]]?.source else {
            Issue.record("a.yaml: bytes deflated when set aside, before they were asked to be")
            return
        }
        #expect(tree.objects(of: tree.files[0]) == parsed[0].objects)
        #expect(tree.entries[paths[1]]?.source == nil && tree.entries[paths[2]]?.source == nil)
        tree.deflateKeptBytes()
        guard case .deflated(let deflated) = tree.entries[paths[0]]?.source else {
            Issue.record("a.yaml: bytes not deflated")
            return
        }
        #expect(deflated.bytes() == Array(alone.utf8))
        #expect(tree.objects(of: tree.files[0]) == parsed[0].objects)
    }

    /// A file alone in naming its namespaces gives its objects up, and has them again on demand,
    /// exactly as parsed; files sharing a namespace keep theirs.
    @Test func exclusiveFilesSetTheirObjectsAside() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        try (namespace("a") + "---\n" + service("web", in: "a")).write(to: root.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try namespace("b").write(to: root.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try service("db", in: "b").write(to: root.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
        var tree = ManifestTree(root: root.path)
        tree.refresh(rereadAll: true)
        let parsed = tree.files
        tree.setAsideExclusiveFiles()
        let paths = ["a", "b", "c"].map { root.appendingPathComponent("\($0).yaml").path }
        #expect(tree.entries[paths[0]]?.isSetAside == true)
        #expect(tree.entries[paths[1]]?.isSetAside == false && tree.entries[paths[2]]?.isSetAside == false)
        #expect(tree.files[0].objects.isEmpty && tree.files[1].objects.count == 1 && tree.files[2].objects.count == 1)
        for (before, after) in zip(parsed, tree.files) { #expect(tree.objects(of: after) == before.objects) }

        // A file of another namespace changes nothing; one that names `a` too brings a.yaml's objects back.
        try service("cache", in: "b").write(to: root.appendingPathComponent("d.yaml"), atomically: true, encoding: .utf8)
        tree.refresh(named: [root.appendingPathComponent("d.yaml").path])
        tree.setAsideExclusiveFiles()
        #expect(tree.entries[paths[0]]?.isSetAside == true)
        try service("api", in: "a").write(to: root.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        tree.refresh(named: [root.appendingPathComponent("e.yaml").path])
        tree.setAsideExclusiveFiles()
        #expect(tree.entries[paths[0]]?.isSetAside == false)
        #expect(tree.files[0].objects == parsed[0].objects)

        // e.yaml moves to a namespace of its own: alone there, it sets its objects aside; a.yaml,
        // which gave its kept bytes up when it shared `a`, keeps its objects.
        let moved = root.appendingPathComponent("e.yaml")
        try service("api", in: "x").write(to: moved, atomically: true, encoding: .utf8)
        tree.refresh(named: [moved.path])
        tree.setAsideExclusiveFiles()
        #expect(tree.entries[moved.path]?.isSetAside == true && tree.files[4].objects.isEmpty)
        #expect(tree.objects(of: tree.files[4]).map(\.metadata.name) == ["api"])
        #expect(tree.entries[paths[0]]?.isSetAside == false && tree.files[0].objects == parsed[0].objects)
        // A file that joins `x` brings e.yaml's objects back.
        try service("worker", in: "x").write(to: root.appendingPathComponent("f.yaml"), atomically: true, encoding: .utf8)
        tree.refresh(named: [root.appendingPathComponent("f.yaml").path])
        tree.setAsideExclusiveFiles()
        #expect(tree.entries[moved.path]?.isSetAside == false && tree.files[4].objects.map(\.metadata.name) == ["api"])
    }

    /// A broken edit of a file whose objects were set aside serves the objects it had.
    @Test func aBrokenEditOfASetAsideFileKeepsItsLastGoodObjects() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("a.yaml")
        try (namespace("a") + "---\n" + service("web", in: "a")).write(to: path, atomically: true, encoding: .utf8)
        var tree = ManifestTree(root: root.path)
        tree.refresh(rereadAll: true)
        let good = tree.files[0].objects
        tree.setAsideExclusiveFiles()
        #expect(tree.entries[path.path]?.isSetAside == true)
        try "apiVersion: v1\nkind: Service\nmetadata: {name: [".write(to: path, atomically: true, encoding: .utf8)
        #expect(tree.refresh(named: [path.path]).keptLastGood == [path.path])
        #expect(tree.files[0].objects == good && tree.objects(of: tree.files[0]) == good)
        tree.setAsideExclusiveFiles()
        #expect(tree.entries[path.path]?.isSetAside == false, "a file serving its last good objects keeps them")
        #expect(tree.files[0].objects == good)
    }

    @Test func deletedFilesDropTheirObjects() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        try namespace("a").write(to: root.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try namespace("b").write(to: root.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        var tree = ManifestTree(root: root.path)
        tree.refresh(rereadAll: true)
        try FileManager.default.removeItem(at: root.appendingPathComponent("a.yaml"))
        let changes = tree.refresh(named: [])
        #expect(changes.removed == [root.appendingPathComponent("a.yaml").path])
        #expect(tree.files.flatMap(\.objects).map(\.metadata.name) == ["b"])
    }

    @Test func fileNotNamedByAnEventWaitsForIt() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        var tree = ManifestTree(root: root.path)
        tree.refresh(rereadAll: true)
        // A file that appeared (say, still being written) is not read until an event names it.
        try namespace("late").write(to: root.appendingPathComponent("late.yaml"), atomically: true, encoding: .utf8)
        #expect(tree.refresh(named: []).isEmpty)
        #expect(tree.refresh(named: [root.appendingPathComponent("late.yaml").path]).added.count == 1)
    }

    @Test func vanishedRootKeepsServingWhatItHad() throws {
        let root = try makeRoot()
        try namespace("a").write(to: root.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        var tree = ManifestTree(root: root.path)
        tree.refresh(rereadAll: true)
        try FileManager.default.removeItem(at: root)
        #expect(tree.refresh(rereadAll: true).isEmpty)
        #expect(!tree.rootExists)
        #expect(tree.files.count == 1)
    }
}
