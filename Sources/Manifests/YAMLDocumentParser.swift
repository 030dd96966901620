import CYAML
import CoreSharing

/// Parses a YAML stream (one or more documents) into a `ManifestTape` with libyaml's event API.
/// Events map straight onto the tape's elements: no tag-resolution pass and no tree.
package enum YAMLDocumentParser {
    /// Where and why the text is not valid YAML (or breaks a limit), with 1-based line and column.
    package struct Failure: Error, Sendable, Equatable {
        package var line: Int
        package var column: Int
        package var message: String
    }

    /// A sequence or mapping whose end event has not come yet.
    private struct OpenCollection {
        var index: Int
        var anchor: String?
        /// Direct children so far (a mapping's keys and values both count).
        var children = 0
        /// Nodes in the subtree so far, itself included (for the alias expansion limit).
        var size = 1
    }

    /// The documents of `bytes`, in order; empty documents are left out.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: ManifestLimits = .standard
    ) -> Result<[ManifestNode], Failure> {
        guard bytes.count <= ManifestTape.maximumInput else {
            return .failure(Failure(line: 1, column: 1, message: "more than \(ManifestTape.maximumInput) bytes"))
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return .failure(Failure(line: 1, column: 1, message: "not valid YAML: parser could not start"))
        }
        defer { yaml_parser_delete(&parser) }
        if let base = bytes.baseAddress {
            yaml_parser_set_input_string(&parser, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        } else {
            var empty: UInt8 = 0
            yaml_parser_set_input_string(&parser, &empty, 0)
        }

        var tape = ManifestTape.Builder(expectedBytes: bytes.count)
        var documents: [Int] = []
        var stack: [OpenCollection] = []
        var anchors: [String: (index: Int, size: Int)] = [:]
        var expanded = 0
        var event = yaml_event_t()

        func failure(at line: Int, _ column: Int, _ message: String) -> Result<[ManifestNode], Failure> {
            .failure(Failure(line: line, column: column, message: message))
        }

        /// Counts a finished node into the collection it belongs to (or into the documents).
        func added(_ index: Int, size: Int, anchor: String?) {
            if let anchor { anchors[anchor] = (index, size) }
            let top = stack.count - 1
            guard top >= 0 else {
                documents.append(index)
                return
            }
            stack[top].size += size
            stack[top].children += 1
        }

        var events = 0
        while true {
            events &+= 1
            if events & 255 == 0 { CoreSharing.checkpoint() }
            guard yaml_parser_parse(&parser, &event) == 1 else {
                return .failure(Self.failure(of: &parser, in: bytes))
            }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1

            switch event.type {
            case YAML_STREAM_END_EVENT:
                let finished = tape.finish()
                return .success(documents.map { ManifestNode(tape: finished, index: $0) }.filter { !$0.isNull })
            case YAML_DOCUMENT_START_EVENT:
                anchors.removeAll(keepingCapacity: true)
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = UnsafeBufferPointer(start: scalar.value, count: scalar.value == nil ? 0 : scalar.length)
                let index = tape.scalar(
                    text, quoted: scalar.style != YAML_PLAIN_SCALAR_STYLE, tag: scalar.tag.map { String(cString: $0) },
                    line: line, column: column)
                added(index, size: 1, anchor: scalar.anchor.map { String(cString: $0) })
            case YAML_ALIAS_EVENT:
                let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                guard let target = anchors[name] else {
                    return failure(at: line, column, "not valid YAML: unknown alias *\(name)")
                }
                expanded += target.size
                if expanded > limits.maximumAliasExpansion {
                    return failure(
                        at: line, column,
                        "aliases expand to more than \(limits.maximumAliasExpansion) nodes (a YAML bomb?)")
                }
                let index = tape.count
                tape.alias(of: target.index, line: line, column: column)
                added(index, size: target.size, anchor: nil)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < limits.maximumDepth else {
                    return failure(at: line, column, "nested deeper than \(limits.maximumDepth) levels")
                }
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = (isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                    .map { String(cString: $0) }
                let index = tape.open(mapping: isMapping, line: line, column: column)
                stack.append(OpenCollection(index: index, anchor: anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let collection = stack.popLast() else { break }
                tape.close(collection.index, children: collection.children)
                added(collection.index, size: collection.size, anchor: collection.anchor)
            default:
                break
            }
        }
    }

    /// The parser's own words for the problem, at the position it reports. Reader errors (bad
    /// encoding) carry a byte offset instead of a mark, so the line is counted from the bytes.
    private static func failure(of parser: inout yaml_parser_t, in bytes: UnsafeRawBufferPointer) -> Failure {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        if parser.error == YAML_READER_ERROR {
            let offset = min(Int(parser.problem_offset), bytes.count)
            var line = 1
            var column = 1
            for byte in bytes[0..<offset] {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
            return Failure(line: line, column: column, message: "not valid YAML: \(problem)")
        }
        var message = "not valid YAML: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            let contextLine = Int(parser.context_mark.line) + 1
            message += " (\(context) at line \(contextLine))"
        }
        return Failure(
            line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1, message: message)
    }
}
