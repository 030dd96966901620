/// What a file watcher knows of files being written, so that a refresh can tell the read of a
/// finished file from the read of one a writer is rewriting under it.
///
/// A writer that rewrites a file in place (`cp`, a shell redirect, an editor saving without a
/// rename) first truncates it: a read at that moment finds it empty or half-written, and its
/// objects would vanish from the answers until the writer closes it. The file's `stat` cannot
/// tell, since a truncated file may not change again for a while; the watcher's events can:
/// every truncation and write is an `IN_MODIFY`, and the writer's close an `IN_CLOSE_WRITE`.
///
/// Used by one refresh at a time: `startNoting()` before reading, `catchUp()` after, then
/// `wasWrittenDuringReads(_:)` for each file read.
package protocol WriteActivity: AnyObject, Sendable {
    /// Takes every event already queued, then starts noting the files written from now on.
    func startNoting()
    /// Takes every event queued since.
    func catchUp()
    /// Whether `path` was written since `startNoting()` (modified, closed after writing, created,
    /// replaced or removed), or has a writer that wrote to it and has not closed it yet: a read
    /// of it may hold part of a file.
    func wasWrittenDuringReads(_ path: String) -> Bool
}
