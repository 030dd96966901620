extension SnapshotBuilder {
    /// One address's PTR targets as a build leaves them (in no order), and the reverse zone its
    /// record is in. No targets: the address's last one went in this build.
    struct PointerSet: Sendable {
        var zone: Int
        var targets: [PointerTarget]
    }
}
