import Manifests

/// The objects of one resource in one namespace, as the pipeline reads a file: one copy of each
/// object, kept in name order, and the diagnostics of the objects the API would have rejected.
package struct VirtualFile: Sendable, Equatable {
    package private(set) var file: ManifestFile
    /// Diagnostics by object name (objects that did not decode).
    private var rejected: [String: [ManifestDiagnostic]] = [:]

    package init(path: String) {
        self.file = ManifestFile(path: path)
    }

    /// From a complete list: `objects` in any order, `rejected` by name.
    package init(path: String, objects: [ManifestObject], rejected: [String: [ManifestDiagnostic]]) {
        self.file = ManifestFile(path: path, objects: objects.sorted { $0.name < $1.name })
        self.rejected = rejected
        self.file.diagnostics = Self.flatten(rejected)
    }

    package var isEmpty: Bool { self.file.objects.isEmpty && self.rejected.isEmpty }

    /// The object called `name`, if it decoded.
    package func object(named name: String) -> ManifestObject? {
        let index = self.position(of: name)
        return index < self.file.objects.count && self.file.objects[index].name == name
            ? self.file.objects[index] : nil
    }

    /// Sets the object called `name` to `decoded` (what one API object decoded to: the object, or
    /// the diagnostics saying why not), or removes it (`decoded` nil). False when nothing changed.
    package mutating func set(_ name: String, to decoded: ManifestFile?) -> Bool {
        let object = decoded?.objects.first
        let diagnostics = decoded?.diagnostics ?? []
        let index = self.position(of: name)
        let present = index < self.file.objects.count && self.file.objects[index].name == name
        let before = present ? self.file.objects[index] : nil
        guard before != object || (self.rejected[name] ?? []) != diagnostics else { return false }
        switch (present, object) {
        case (true, let object?): self.file.objects[index] = object
        case (true, nil): self.file.objects.remove(at: index)
        case (false, let object?): self.file.objects.insert(object, at: index)
        case (false, nil): break
        }
        if (self.rejected[name] ?? []) != diagnostics {
            self.rejected[name] = diagnostics.isEmpty ? nil : diagnostics
            self.file.diagnostics = Self.flatten(self.rejected)
        }
        return true
    }

    /// Where an object called `name` is, or would go (binary search by name).
    private func position(of name: String) -> Int {
        self.file.objects.partitioningIndex { $0.name >= name }
    }

    private static func flatten(_ rejected: [String: [ManifestDiagnostic]]) -> [ManifestDiagnostic] {
        rejected.keys.sorted().flatMap { rejected[$0]! }
    }
}
