import CLDNS
import DNSWire
import Glibc
import Manifests

/// Reads RFC 1035 master files with libldns, the only place in the product that calls it:
/// `$ORIGIN`, `$TTL`, relative names, parentheses and comments are libldns's; `$INCLUDE` is
/// refused (a zone is one file, watched as one). What libldns reads is then checked by
/// `ZoneFileValidator`, which says whether the file can be served.
package enum ZoneFileParser {
    /// The reader the manifest tree and the loaders are handed.
    package static let reader: ZoneFileReader = { bytes, path in Self.read(bytes, path: path) }

    /// The TTL of records before any `$TTL` (RFC 2308 §4 asks for `$TTL`; NSD and Knot also
    /// default to an hour).
    package static let defaultTTL: UInt32 = 3600

    /// Reads a zone file's bytes. The origin before any `$ORIGIN` is the file's name without
    /// `.zone` (`example.internal.zone` → `example.internal.`), so a file of relative names needs
    /// no directive.
    package static func read(_ bytes: UnsafeRawBufferPointer, path: String) -> ManifestFile {
        switch Self.entries(bytes, origin: Self.origin(forPath: path)) {
        case .failure(let failure):
            let location = SourceLocation(file: path, line: failure.line, column: 0)
            return ManifestFile(path: path, diagnostics: [.error(at: location, failure.message)], failedToParse: true)
        case .success(let records):
            return ZoneFileValidator.validate(records, path: path)
        }
    }

    /// The origin a file starts with: its name without the directory and `.zone`.
    static func origin(forPath path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let stem = name.hasSuffix(".zone") ? String(name.dropLast(5)) : name
        return stem.isEmpty ? "." : (stem.hasSuffix(".") ? stem : stem + ".")
    }

    /// Why a file could not be read, and where.
    struct Failure: Error {
        var line: Int
        var message: String
    }

    /// Every record of the file in order, or the first syntax error.
    static func entries(_ bytes: UnsafeRawBufferPointer, origin: String) -> Result<[ZoneFileRecord], Failure> {
        guard bytes.count > 0, let base = bytes.baseAddress else { return .success([]) }
        // libldns reads a FILE; the bytes are already in memory (read once, hashed, confined).
        guard let stream = fmemopen(UnsafeMutableRawPointer(mutating: base), bytes.count, "r") else {
            return .failure(Failure(line: 1, message: "cannot read: \(String(cString: strerror(errno)))"))
        }
        defer { fclose(stream) }
        let lines = LineStarts(bytes)
        var originName: UnsafeMutablePointer<ldns_rdf>? = ldns_dname_new_frm_str(origin) ?? ldns_dname_new_frm_str(".")
        var previous: UnsafeMutablePointer<ldns_rdf>?
        defer {
            if let originName { ldns_rdf_deep_free(originName) }
            if let previous { ldns_rdf_deep_free(previous) }
        }
        var ttl = Self.defaultTTL
        var line: Int32 = 0
        var records: [ZoneFileRecord] = []
        let buffer = ldns_buffer_new(512)
        defer { ldns_buffer_free(buffer) }
        while feof(stream) == 0 {
            let before = Int(line)
            var record: UnsafeMutablePointer<ldns_rr>?
            let status = ldns_rr_new_frm_fp_l(&record, stream, &ttl, &originName, &previous, &line)
            // libldns counts the newlines it read: the entry began on the first line after
            // `before` that holds more than blanks and comments.
            let start = lines.firstContentLine(after: before, through: max(Int(line), before + 1))
            switch status {
            case LDNS_STATUS_OK:
                guard let record else { continue }
                defer { ldns_rr_free(record) }
                guard ldns_rr_get_class(record) == LDNS_RR_CLASS_IN else {
                    return .failure(Failure(line: start, message: "only class IN is served"))
                }
                // RFC 3597's `\# 0` gives any type empty data; a type with required fields refuses it.
                let type = UInt16(ldns_rr_get_type(record).rawValue)
                if let descriptor = ldns_rr_descript(type), ldns_rr_rd_count(record) < ldns_rr_descriptor_minimum(descriptor) {
                    return .failure(Failure(line: start, message: "\(RRType(rawValue: type)): the record has no data"))
                }
                ldns_buffer_clear(buffer)
                guard ldns_rr_rdata2buffer_wire(buffer, record) == LDNS_STATUS_OK else {
                    return .failure(Failure(line: start, message: "the record's data cannot be put in wire form"))
                }
                let owner = ldns_rr_owner(record)
                records.append(
                    ZoneFileRecord(
                        owner: Array(UnsafeRawBufferPointer(start: ldns_rdf_data(owner), count: ldns_rdf_size(owner))),
                        type: UInt16(ldns_rr_get_type(record).rawValue), ttl: ldns_rr_ttl(record),
                        rdata: Array(UnsafeRawBufferPointer(start: ldns_buffer_begin(buffer), count: ldns_buffer_position(buffer))),
                        line: start))
            case LDNS_STATUS_SYNTAX_EMPTY, LDNS_STATUS_SYNTAX_TTL, LDNS_STATUS_SYNTAX_ORIGIN:
                continue
            case LDNS_STATUS_SYNTAX_INCLUDE, LDNS_STATUS_SYNTAX_INCLUDE_ERR_NOTIMPL:
                return .failure(Failure(line: start, message: "$INCLUDE is not supported: a zone is served from one file"))
            default:
                let text = String(cString: ldns_get_errorstr_by_id(status))
                return .failure(Failure(line: start, message: Self.sentence(text)))
            }
        }
        return .success(records)
    }

    /// libldns's message as a diagnostic: its "Syntax error, " prefix dropped, in lower case.
    private static func sentence(_ text: String) -> String {
        var message = text
        if message.hasPrefix("Syntax error, ") { message = String(message.dropFirst(14)) }
        guard let first = message.first else { return "syntax error" }
        return first.lowercased() + message.dropFirst()
    }
}
