/// One node of a parsed YAML or JSON document, with the line and column where it starts, so that
/// every diagnostic about a field can point at that field. A position in its `ManifestTape`:
/// copying a node copies no content, and its text becomes a `String` only when asked for.
package struct ManifestNode: Sendable {
    /// One key and its value in a mapping.
    package struct Pair: Sendable {
        package var key: ManifestNode
        package var value: ManifestNode
    }

    private let tape: ManifestTape
    /// The element at the node's own position (an alias's, for an alias).
    private let position: UInt32
    /// The element holding the content (the anchored node's, for an alias).
    private let target: UInt32

    init(tape: ManifestTape, index: Int) {
        self.tape = tape
        self.position = UInt32(truncatingIfNeeded: index)
        let element = tape.elements[index]
        self.target = element.kind == .alias ? element.start : UInt32(truncatingIfNeeded: index)
    }

    private var element: ManifestTape.Element { self.tape.elements[Int(self.target)] }

    /// 1-based line of the node's first character.
    package var line: Int { Int(self.tape.elements[Int(self.position)].line) }
    /// 1-based column of the node's first character.
    package var column: Int { Int(self.tape.elements[Int(self.position)].column) }

    /// The value under `key` when this node is a mapping with a string key of that text (the
    /// first such key). Keys are compared byte for byte, as the API server's decoder does.
    package subscript(key: String) -> ManifestNode? {
        if let found = key.utf8.withContiguousStorageIfAvailable({ self.value(forKey: $0) }) { return found }
        return Array(key.utf8).withUnsafeBufferPointer { self.value(forKey: $0) }
    }

    private func value(forKey wanted: UnsafeBufferPointer<UInt8>) -> ManifestNode? {
        let found: Int? = self.tape.elements.withUnsafeBufferPointer { elements in
            let element = elements[Int(self.target)]
            guard element.kind == .mapping else { return nil }
            return self.tape.text.withUnsafeBufferPointer { text in
                var child = Int(self.target) + 1
                let end = Int(element.end)
                while child < end {
                    var key = elements[child]
                    let value = Int(key.end)
                    guard value < end else { return nil }
                    if key.kind == .alias { key = elements[Int(key.start)] }
                    if key.kind == .plainScalar || key.kind == .quotedScalar, Int(key.length) == wanted.count,
                        UnsafeBufferPointer(rebasing: text[Int(key.start)..<Int(key.start) + wanted.count])
                            .elementsEqual(wanted)
                    {
                        return value
                    }
                    child = Int(elements[value].end)
                }
                return nil
            }
        }
        return found.map { ManifestNode(tape: self.tape, index: $0) }
    }

    /// The scalar, when this node is one.
    package var scalar: ManifestScalar? {
        let element = self.element
        let style: ManifestScalar.Style
        switch element.kind {
        case .plainScalar: style = .plain
        case .quotedScalar: style = .quoted
        default: return nil
        }
        let text = self.tape.text.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[Int(element.start)..<Int(element.start + element.length)]), as: UTF8.self)
        }
        return ManifestScalar(text, style: style, tag: element.tagged ? self.tape.tags[self.target] : nil)
    }

    /// The items, when this node is a sequence.
    package var sequence: [ManifestNode]? {
        let element = self.element
        guard element.kind == .sequence else { return nil }
        var items: [ManifestNode] = []
        items.reserveCapacity(Int(element.start))
        var child = Int(self.target) + 1
        while child < Int(element.end) {
            items.append(ManifestNode(tape: self.tape, index: child))
            child = Int(self.tape.elements[child].end)
        }
        return items
    }

    /// The keys and values in file order, when this node is a mapping.
    package var pairs: [Pair]? {
        let element = self.element
        guard element.kind == .mapping else { return nil }
        var pairs: [Pair] = []
        pairs.reserveCapacity(Int(element.start) / 2)
        var child = Int(self.target) + 1
        while child < Int(element.end) {
            let key = child
            child = Int(self.tape.elements[child].end)
            guard child < Int(element.end) else { break }
            pairs.append(Pair(key: ManifestNode(tape: self.tape, index: key), value: ManifestNode(tape: self.tape, index: child)))
            child = Int(self.tape.elements[child].end)
        }
        return pairs
    }

    /// Whether this node is a mapping (cheaper than asking for its pairs).
    package var isMapping: Bool { self.element.kind == .mapping }

    /// True for an explicit YAML/JSON null (`~`, `null`, or nothing after the colon).
    package var isNull: Bool {
        let element = self.element
        guard element.kind == .plainScalar || element.kind == .quotedScalar else { return false }
        if element.tagged { return self.scalar.map { if case .null = $0.value { true } else { false } } ?? false }
        guard element.kind == .plainScalar else { return false }
        switch element.length {
        case 0: return true
        case 1: return self.tape.text[Int(element.start)] == UInt8(ascii: "~")
        case 4:
            let bytes = self.tape.text[Int(element.start)..<Int(element.start) + 4]
            return bytes.elementsEqual("null".utf8) || bytes.elementsEqual("Null".utf8) || bytes.elementsEqual("NULL".utf8)
        default: return false
        }
    }

    /// How the node is named in messages: `string "80"`, `integer 80`, `a list`, `an object`.
    package var typeDescription: String {
        switch self.element.kind {
        case .sequence: return "a list"
        case .mapping: return "an object"
        default: return self.scalar?.value.typeDescription ?? "null"
        }
    }
}
