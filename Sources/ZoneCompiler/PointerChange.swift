extension SnapshotBuilder {
    /// What the namespaces compiled in one build do to one address's PTR targets.
    struct PointerChange: Sendable {
        var removed: [PointerTarget] = []
        var added: [PointerTarget] = []
    }
}
