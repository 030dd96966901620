/// The nodes of one parsed YAML or JSON stream, flat: one element per node in document order
/// (a collection's children follow it, each subtree in one run), and every scalar's text in one
/// byte buffer. `ManifestNode` is a position in it.
///
/// A tree of nodes holding arrays of nodes cost an allocation per collection and per long
/// scalar, and every step through it (a key looked up, a list read) retained and released the
/// arrays and strings it passed; at L the tree and the walks through it were about a tenth of
/// the start. Here a document is two arrays, a key is found by comparing bytes, and text becomes
/// a `String` only when a decoder asks for a value.
package final class ManifestTape: Sendable {
    /// What an element is.
    enum Kind: UInt8 {
        case plainScalar
        case quotedScalar
        case mapping
        case sequence
        /// A YAML alias: `start` is the anchored element's index.
        case alias
    }

    /// One node: 24 bytes.
    struct Element {
        var kind: Kind
        /// Whether the scalar carries an explicit tag (kept in `tags`).
        var tagged: Bool
        /// 1-based line and column of the node's first character.
        var line: UInt32
        var column: UInt32
        /// Scalar: offset of its text. Collection: how many children (a mapping's keys and
        /// values both count). Alias: the anchored element.
        var start: UInt32
        /// Scalar: length of its text.
        var length: UInt32
        /// The index just past this node's subtree.
        var end: UInt32
    }

    let elements: [Element]
    let text: [UInt8]
    /// Explicit tags of scalars, by element index (rare in manifests).
    let tags: [UInt32: String]

    init(elements: [Element], text: [UInt8], tags: [UInt32: String]) {
        self.elements = elements
        self.text = text
        self.tags = tags
    }

    /// The most bytes a parser hands to a tape: its offsets are 32 bits.
    static let maximumInput = Int(UInt32.max >> 1)

    /// Gathers a tape while a parser walks its input.
    struct Builder {
        private(set) var elements: [Element] = []
        private var text: [UInt8] = []
        private var tags: [UInt32: String] = [:]

        /// Sized for a manifest of `expectedBytes` so that neither list grows: a node per 6 bytes
        /// and as much text as input (scalars are the input less its indentation, keys' colons and
        /// quotes). Manifests run a node per 8 to 15 bytes, two thirds of them scalar text (the
        /// bench's generated clusters 7.8 bytes and 0.66, `kubectl get -o yaml` dumps more), so
        /// the lists end short of their capacity; pages never written are never touched. Sized at
        /// half as much, both lists grew in every file of L, each growth a copy of the list so far.
        /// Denser input grows the lists as needed, and so does input past a manifest file's
        /// largest size (an API server's page of up to 512 MiB), so that no reservation is many
        /// times what is read.
        init(expectedBytes: Int) {
            let sized = min(expectedBytes, Self.largestSizedInput)
            self.text.reserveCapacity(sized)
            self.elements.reserveCapacity(sized / 6)
        }

        /// The most input the lists are sized for up front: a manifest file's largest size.
        static let largestSizedInput = ManifestLimits.standard.maximumFileSize

        var count: Int { self.elements.count }

        /// Adds a scalar with the text `bytes`; returns its index.
        @discardableResult
        mutating func scalar(
            _ bytes: UnsafeBufferPointer<UInt8>, quoted: Bool, tag: String? = nil, line: Int, column: Int
        ) -> Int {
            let index = self.elements.count
            let start = UInt32(truncatingIfNeeded: self.text.count)
            self.text.append(contentsOf: bytes)
            if let tag { self.tags[UInt32(truncatingIfNeeded: index)] = tag }
            self.elements.append(
                Element(
                    kind: quoted ? .quotedScalar : .plainScalar, tagged: tag != nil, line: Self.position(line),
                    column: Self.position(column), start: start, length: UInt32(truncatingIfNeeded: bytes.count),
                    end: UInt32(truncatingIfNeeded: index + 1)))
            return index
        }

        /// Opens a mapping or sequence; its children are the nodes added until `close`.
        mutating func open(mapping: Bool, line: Int, column: Int) -> Int {
            let index = self.elements.count
            self.elements.append(
                Element(
                    kind: mapping ? .mapping : .sequence, tagged: false, line: Self.position(line),
                    column: Self.position(column), start: 0, length: 0, end: 0))
            return index
        }

        /// Closes the collection opened at `index`, which holds `children` direct children.
        mutating func close(_ index: Int, children: Int) {
            self.elements[index].start = UInt32(truncatingIfNeeded: children)
            self.elements[index].end = UInt32(truncatingIfNeeded: self.elements.count)
        }

        /// Adds a reference to the node at `target` (a YAML alias), placed at its own position.
        mutating func alias(of target: Int, line: Int, column: Int) {
            let index = self.elements.count
            // An alias names an anchored node, never another alias; resolved here all the same.
            let resolved = self.elements[target].kind == .alias ? self.elements[target].start : UInt32(target)
            self.elements.append(
                Element(
                    kind: .alias, tagged: false, line: Self.position(line), column: Self.position(column),
                    start: resolved, length: 0, end: UInt32(truncatingIfNeeded: index + 1)))
        }

        func finish() -> ManifestTape {
            ManifestTape(elements: self.elements, text: self.text, tags: self.tags)
        }

        private static func position(_ value: Int) -> UInt32 { UInt32(clamping: value) }
    }
}
