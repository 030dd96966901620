/// A file's bytes as one read found them, and whether they are the whole of one version of it.
package struct FileBytes: Sendable {
    package var bytes: [UInt8]
    /// False when a writer was at the file during the read: the file's size or times changed,
    /// or the read came up short, or a process had it open for writing when the read ended and
    /// it was written less than `ManifestDirectory.unclosedWriteExpiry` ago (known only where
    /// read leases are allowed). The bytes may then be part of a file being rewritten.
    package var isSteady: Bool
}
