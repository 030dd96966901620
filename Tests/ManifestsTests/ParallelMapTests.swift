import Foundation
import Testing

@testable import Manifests

@Suite("Parallel map")
struct ParallelMapTests {
    @Test(arguments: [0, 1, 7, 8, 9, 1000])
    func keepsInputOrder(count: Int) {
        let items = Array(0..<count)
        #expect(ParallelMap.map(items) { $0 * 3 + 1 } == items.map { $0 * 3 + 1 })
    }

    @Test func manyFilesLoadAsOneByOne() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("parallel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for index in 0..<40 {
            // Every fifth file is broken, so diagnostics must land with their own file.
            let text = index % 5 == 0
                ? "apiVersion: v1\nkind: Namespace\nmetadata: {name: [\n"
                : "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns-\(index)}\n"
            try text.write(to: root.appendingPathComponent(String(format: "f%02d.yaml", index)), atomically: true, encoding: .utf8)
        }
        let parallel = try #require(ManifestDirectory.loadAll(root.path))
        let sequential = try #require(ManifestDirectory.scan(root.path)).map { ManifestDirectory.load($0.path) }
        #expect(parallel == sequential)
        #expect(parallel.filter(\.failedToParse).count == 8)
    }
}
