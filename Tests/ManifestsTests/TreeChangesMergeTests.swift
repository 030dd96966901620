import Testing

@testable import Manifests

/// Two refreshes merged must tell what one refresh over both would have told.
@Suite("Merging the changes of two refreshes")
struct TreeChangesMergeTests {
    typealias Changes = ManifestTree.Changes

    static func changes(
        added: [String] = [], changed: [String] = [], removed: [String] = [], kept: [String] = [], deferred: [String] = []
    ) -> Changes {
        var result = Changes()
        result.added = added
        result.changed = changed
        result.removed = removed
        result.keptLastGood = kept
        result.deferred = deferred
        return result
    }

    static let cases: [(first: Changes, later: Changes, expected: Changes, note: String)] = [
        (changes(added: ["a"]), changes(changed: ["a"]), changes(added: ["a"]), "added then changed is added"),
        (changes(changed: ["a"]), changes(changed: ["a"]), changes(changed: ["a"]), "changed twice is changed"),
        (changes(changed: ["a"]), changes(removed: ["a"]), changes(removed: ["a"]), "changed then removed is removed"),
        (changes(added: ["a"]), changes(removed: ["a"]), changes(removed: ["a"]), "added then removed undoes nothing seen"),
        (changes(removed: ["a"]), changes(added: ["a"]), changes(changed: ["a"]), "removed then added back is changed"),
        (changes(added: ["a"]), changes(added: ["b"]), changes(added: ["a", "b"]), "different files add up"),
        (changes(changed: ["a"], kept: ["a"]), changes(changed: ["a"]), changes(changed: ["a"]), "a broken file fixed is no longer kept"),
        (changes(changed: ["a"], kept: ["a"]), Changes(), changes(changed: ["a"], kept: ["a"]), "still broken, not read again"),
        (changes(changed: ["a"]), changes(changed: ["a"], kept: ["a"]), changes(changed: ["a"], kept: ["a"]), "broken by the later write"),
        (changes(deferred: ["a"]), changes(changed: ["a"]), changes(changed: ["a"]), "a file left for its writer, read later"),
        (changes(deferred: ["a"]), changes(deferred: ["a"]), changes(deferred: ["a"]), "left for its writer again"),
        (changes(deferred: ["a"]), changes(changed: ["b"]), changes(changed: ["b"], deferred: ["a"]), "not read again: still to read"),
        (changes(changed: ["a"]), changes(deferred: ["a"]), changes(changed: ["a"], deferred: ["a"]), "read, then left for a new writer"),
        (Changes(), Changes(), Changes(), "nothing and nothing"),
    ]

    @Test(arguments: Self.cases.indices)
    func merge(index: Int) {
        let (first, later, expected, note) = Self.cases[index]
        var merged = first
        merged.merge(later)
        #expect(merged == expected, "\(note)")
    }
}
