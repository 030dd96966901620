import Testing

@testable import Manifests

/// The binary search the sorted lists of files, objects and shards share.
@Suite struct PartitioningIndexTests {
    @Test(arguments: [
        ([String](), "b", 0),
        (["b"], "a", 0),
        (["b"], "b", 0),
        (["b"], "c", 1),
        (["a", "c", "e"], "d", 2),
        (["a", "c", "e"], "e", 2),
        (["a", "c", "e"], "f", 3),
        (["a", "b", "b", "c"], "b", 1),
    ])
    func whereAnElementIsOrWouldGo(sorted: [String], element: String, expected: Int) {
        #expect(sorted.partitioningIndex { $0 >= element } == expected)
        // The same as a linear scan, on a slice too.
        #expect(sorted[...].partitioningIndex { $0 >= element } == (sorted.firstIndex { $0 >= element } ?? sorted.count))
    }
}
