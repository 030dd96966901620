/// One node of a parsed YAML or JSON document, with the line and column where it starts, so that
/// every diagnostic about a field can point at that field.
package struct ManifestNode: Sendable {
    /// What a node holds. Mappings keep their keys in file order.
    package enum Content: Sendable {
        case scalar(ManifestScalar)
        case sequence([ManifestNode])
        case mapping([Pair])
    }

    /// One key and its value in a mapping.
    package struct Pair: Sendable {
        package var key: ManifestNode
        package var value: ManifestNode

        package init(key: ManifestNode, value: ManifestNode) {
            self.key = key
            self.value = value
        }
    }

    package var content: Content
    /// 1-based line of the node's first character.
    package var line: Int
    /// 1-based column of the node's first character.
    package var column: Int

    package init(_ content: Content, line: Int, column: Int) {
        self.content = content
        self.line = line
        self.column = column
    }

    /// The value under `key` when this node is a mapping with a string key of that text.
    package subscript(key: String) -> ManifestNode? {
        guard case .mapping(let pairs) = self.content else { return nil }
        for pair in pairs {
            if case .scalar(let scalar) = pair.key.content, scalar.text == key { return pair.value }
        }
        return nil
    }

    package var scalar: ManifestScalar? {
        if case .scalar(let scalar) = self.content { return scalar }
        return nil
    }

    package var sequence: [ManifestNode]? {
        if case .sequence(let items) = self.content { return items }
        return nil
    }

    package var pairs: [Pair]? {
        if case .mapping(let pairs) = self.content { return pairs }
        return nil
    }

    /// True for an explicit YAML/JSON null (`~`, `null`, or nothing after the colon).
    package var isNull: Bool {
        if case .scalar(let scalar) = self.content, case .null = scalar.value { return true }
        return false
    }

    /// How the node is named in messages: `string "80"`, `integer 80`, `a list`, `an object`.
    package var typeDescription: String {
        switch self.content {
        case .sequence: return "a list"
        case .mapping: return "an object"
        case .scalar(let scalar): return scalar.value.typeDescription
        }
    }
}
