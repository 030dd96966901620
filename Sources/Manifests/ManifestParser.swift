import CoreSharing

/// Turns the bytes of one manifest file into a `ManifestFile`: YAML (multi-document) or JSON,
/// `List` objects unpacked, each document decoded and validated as the API server would.
/// Pure: no file system access, so a reload can redo exactly one file.
package enum ManifestParser {
    /// Parses `bytes`, the content of the file at `path`.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, path: String, limits: ManifestLimits = .standard
    ) -> ManifestFile {
        var file = ManifestFile(path: path)
        guard bytes.count <= limits.maximumFileSize else {
            file.failedToParse = true
            file.diagnostics.append(
                .error(
                    at: SourceLocation(file: path, line: 1, column: 1),
                    "file is \(bytes.count) bytes, more than the limit of \(limits.maximumFileSize)"))
            return file
        }
        let result = Self.looksLikeJSON(bytes, path: path)
            ? JSONDocumentParser.parse(bytes, limits: limits) : YAMLDocumentParser.parse(bytes, limits: limits)
        switch result {
        case .failure(let failure):
            file.failedToParse = true
            file.diagnostics.append(
                .error(at: SourceLocation(file: path, line: failure.line, column: failure.column), failure.message))
        case .success(let documents):
            var repeats = Repeats()
            for document in documents {
                CoreSharing.checkpoint()
                Self.decode(document, into: &file, listContext: nil, repeats: &repeats)
            }
        }
        return file
    }

    /// Convenience for tests and small inputs.
    package static func parse(_ text: String, path: String, limits: ManifestLimits = .standard) -> ManifestFile {
        var text = text
        return text.withUTF8 { Self.parse(UnsafeRawBufferPointer($0), path: path, limits: limits) }
    }

    /// One object as the API server sends it, already parsed: a list item (which carries no kind
    /// or apiVersion of its own) or a watch event's object, decoded and validated as `kind`. The
    /// result holds that object, or none and the diagnostics that say why; diagnostics name `path`.
    package static func decodeAPIObject(_ node: ManifestNode, as kind: ObjectKind, path: String) -> ManifestFile {
        var file = ManifestFile(path: path)
        var repeats = Repeats()
        Self.decode(
            node, into: &file, listContext: ListContext(apiVersion: kind.apiVersion, itemKind: kind.rawValue), repeats: &repeats)
        return file
    }

    /// `.json` files whose first non-blank byte opens an object or array go to the JSON parser.
    private static func looksLikeJSON(_ bytes: UnsafeRawBufferPointer, path: String) -> Bool {
        guard path.hasSuffix(".json") else { return false }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), 0xEF, 0xBB, 0xBF:
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): return true
            default: return false
            }
        }
        return false
    }

    /// The apiVersion and kind a `<Kind>List` gives items that carry none (API list responses).
    private struct ListContext {
        var apiVersion: String
        var itemKind: String
    }

    /// The parts of a file's objects that repeat from object to object, kept once per file (the
    /// file's objects are kept for as long as the file is unchanged). At L, the port lists of
    /// 100,000 Services were 13.7 MiB. Shared as each object is decoded, before it is wrapped:
    /// taking a finished object apart to share them copied every field of it twice.
    struct Repeats {
        var servicePorts = ValueInterner<[ServicePort]>()
        var endpointPorts = ValueInterner<[EndpointPort]>()
        var labels = ValueInterner<[String: String]>()
    }

    private static func decode(
        _ document: ManifestNode, into file: inout ManifestFile, listContext: ListContext?, repeats: inout Repeats
    ) {
        var decoder = DocumentDecoder(file: file.path)
        defer { file.diagnostics += decoder.diagnostics }
        guard document.isMapping else {
            decoder.error(document, "document must be an object, got \(document.typeDescription)")
            return
        }
        let apiVersionNode = document["apiVersion"]
        let kindNode = document["kind"]
        let apiVersion = decoder.string(apiVersionNode, "apiVersion") ?? listContext?.apiVersion
        let kind = decoder.string(kindNode, "kind") ?? listContext?.itemKind
        guard let kind, !kind.isEmpty else {
            decoder.error(document, "kind is required")
            return
        }
        guard let apiVersion, !apiVersion.isEmpty else {
            decoder.error(document, "apiVersion is required")
            return
        }

        // `kind: List` (kubectl) and `<Kind>List` (API responses) hold their objects in `items`.
        if kind.hasSuffix("List"), let itemsNode = document["items"] {
            let items = decoder.list(itemsNode, "items")
            let itemKind = kind == "List" ? "" : String(kind.dropLast(4))
            let context = ListContext(apiVersion: apiVersion, itemKind: itemKind)
            for item in items {
                CoreSharing.checkpoint()
                Self.decode(item, into: &file, listContext: itemKind.isEmpty ? nil : context, repeats: &repeats)
            }
            return
        }

        guard let objectKind = ObjectKind(rawValue: kind) else {
            file.skippedKinds[kind, default: 0] += 1
            return
        }
        guard apiVersion == objectKind.apiVersion else {
            decoder.error(
                apiVersionNode ?? document,
                "apiVersion \"\(apiVersion)\" is not served for kind \(kind); use \(objectKind.apiVersion)")
            return
        }
        guard let object = decoder.decodeObject(objectKind, document, repeats: &repeats) else { return }
        file.objects.append(object)
    }
}
