import DNSWire

/// A name with its compiled answers: one per type it has, one for every other type (nil: the
/// zone's NODATA), and one for QTYPE=ANY (RFC 8482: one RRset; nil: NODATA).
package struct CompiledEntry: Sendable, Hashable {
    /// Lower-cased wire form.
    package var name: [UInt8]
    package var zone: Int
    package var typed: [(type: UInt16, blob: CompiledBlob)]
    package var other: CompiledBlob?
    package var any: CompiledBlob?

    package init(name: [UInt8], zone: Int, typed: [(type: UInt16, blob: CompiledBlob)] = [], other: CompiledBlob? = nil, any: CompiledBlob? = nil) {
        self.name = name
        self.zone = zone
        self.typed = typed
        self.other = other
        self.any = any
    }

    package static func == (lhs: CompiledEntry, rhs: CompiledEntry) -> Bool {
        lhs.name == rhs.name && lhs.zone == rhs.zone && lhs.other == rhs.other && lhs.any == rhs.any
            && lhs.typed.map(\.type) == rhs.typed.map(\.type) && lhs.typed.map(\.blob) == rhs.typed.map(\.blob)
    }

    package func hash(into hasher: inout Hasher) { hasher.combine(self.name) }
}
