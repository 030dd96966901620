/// Namespace labels (length-prefixed, lower-cased) to shard numbers, so that routing a query to
/// its namespace's shard allocates nothing.
package struct NamespaceIndex: Sendable {
    private let table: ByteKeyTable

    package init(_ namespaces: [(label: [UInt8], shard: Int)]) {
        self.table = ByteKeyTable(namespaces.map { ($0.label, $0.shard) })
    }

    /// The shard of a length-prefixed lower-cased label.
    package func find(_ label: UnsafeRawBufferPointer) -> Int? { self.table.find(label) }
}
