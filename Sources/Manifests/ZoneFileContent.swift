/// What a zone file (an RFC 1035 master file, `*.zone` in the manifest tree) holds once read:
/// its apex and its records, in wire form. Kept per file like a manifest's objects, so that a
/// broken edit keeps the last good records.
package struct ZoneFileContent: Sendable, Hashable {
    /// The apex: the owner of the file's SOA record (uncompressed wire form).
    package var apex: [UInt8]
    /// Every record, the SOA first, in file order.
    package var records: [ZoneFileRecord]

    package init(apex: [UInt8], records: [ZoneFileRecord]) {
        self.apex = apex
        self.records = records
    }
}
