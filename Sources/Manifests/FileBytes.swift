/// A file's bytes as one read found them, and whether they are the whole of one version of it.
package struct FileBytes: Sendable {
    package var bytes: [UInt8]
    /// False when a writer was at the file during the read: it had the file open for writing
    /// when the read ended, or the file's size or times changed, or the read came up short. The
    /// bytes may then be part of a file being rewritten (truncated, then written again).
    package var isSteady: Bool
}
