/// Reads a zone file's bytes (at its path, for diagnostics) into a `ManifestFile` holding its
/// `zone`, or its diagnostics when it cannot be served. Zone files are read by the libldns shim;
/// the tree and the loader are handed the reader, so that nothing here depends on it.
package typealias ZoneFileReader = @Sendable (_ bytes: UnsafeRawBufferPointer, _ path: String) -> ManifestFile
