import CYAML
import CoreSharing

/// Parses a YAML stream (one or more documents) into `ManifestNode` trees with libyaml's event
/// API. Events map straight onto nodes: no tag-resolution pass and no intermediate tree.
package enum YAMLDocumentParser {
    /// Where and why the text is not valid YAML (or breaks a limit), with 1-based line and column.
    package struct Failure: Error, Sendable, Equatable {
        package var line: Int
        package var column: Int
        package var message: String
    }

    private enum Frame {
        case sequence(items: [ManifestNode], line: Int, column: Int, anchor: String?)
        case mapping(pairs: [ManifestNode.Pair], pendingKey: ManifestNode?, line: Int, column: Int, anchor: String?)
    }

    /// The documents of `bytes`, in order; empty documents are left out.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: ManifestLimits = .standard
    ) -> Result<[ManifestNode], Failure> {
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

        var documents: [ManifestNode] = []
        var stack: [Frame] = []
        var anchors: [String: (node: ManifestNode, size: Int)] = [:]
        var sizes: [Int] = []  // node count of each open frame's subtree
        var expanded = 0
        var event = yaml_event_t()

        func failure(at line: Int, _ column: Int, _ message: String) -> Result<[ManifestNode], Failure> {
            .failure(Failure(line: line, column: column, message: message))
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
            var completed: (node: ManifestNode, size: Int, anchor: String?)?

            switch event.type {
            case YAML_STREAM_END_EVENT:
                return .success(documents)
            case YAML_DOCUMENT_START_EVENT:
                anchors.removeAll(keepingCapacity: true)
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = Self.string(scalar.value, count: scalar.length)
                let style: ManifestScalar.Style = scalar.style == YAML_PLAIN_SCALAR_STYLE ? .plain : .quoted
                let tag = scalar.tag.map { String(cString: $0) }
                let node = ManifestNode(.scalar(ManifestScalar(text, style: style, tag: tag)), line: line, column: column)
                completed = (node, 1, scalar.anchor.map { String(cString: $0) })
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
                var node = target.node
                node.line = line
                node.column = column
                completed = (node, target.size, nil)
            case YAML_SEQUENCE_START_EVENT:
                guard stack.count < limits.maximumDepth else {
                    return failure(at: line, column, "nested deeper than \(limits.maximumDepth) levels")
                }
                let anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
                stack.append(.sequence(items: [], line: line, column: column, anchor: anchor))
                sizes.append(1)
            case YAML_MAPPING_START_EVENT:
                guard stack.count < limits.maximumDepth else {
                    return failure(at: line, column, "nested deeper than \(limits.maximumDepth) levels")
                }
                let anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
                stack.append(.mapping(pairs: [], pendingKey: nil, line: line, column: column, anchor: anchor))
                sizes.append(1)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast(), let size = sizes.popLast() else { break }
                switch frame {
                case .sequence(let items, let frameLine, let frameColumn, let anchor):
                    completed = (ManifestNode(.sequence(items), line: frameLine, column: frameColumn), size, anchor)
                case .mapping(let pairs, _, let frameLine, let frameColumn, let anchor):
                    completed = (ManifestNode(.mapping(pairs), line: frameLine, column: frameColumn), size, anchor)
                }
            default:
                break
            }

            guard let (node, size, anchor) = completed else { continue }
            if let anchor { anchors[anchor] = (node, size) }
            guard let top = stack.popLast() else {
                if !node.isNull { documents.append(node) }
                continue
            }
            sizes[sizes.count - 1] += size
            switch top {
            case .sequence(var items, let frameLine, let frameColumn, let frameAnchor):
                items.append(node)
                stack.append(.sequence(items: items, line: frameLine, column: frameColumn, anchor: frameAnchor))
            case .mapping(var pairs, let pendingKey, let frameLine, let frameColumn, let frameAnchor):
                if let key = pendingKey {
                    pairs.append(ManifestNode.Pair(key: key, value: node))
                    stack.append(
                        .mapping(pairs: pairs, pendingKey: nil, line: frameLine, column: frameColumn, anchor: frameAnchor))
                } else {
                    stack.append(
                        .mapping(
                            pairs: pairs, pendingKey: node, line: frameLine, column: frameColumn, anchor: frameAnchor))
                }
            }
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, count: Int) -> String {
        guard let pointer, count > 0 else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
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
