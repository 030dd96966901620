/// The hash of a lower-cased wire name used by the answer table: FNV-1a, 32 bits. The query
/// path computes it byte by byte while it lower-cases the question name, in the same pass.
package enum NameHash {
    package static let seed: UInt32 = 0x811C_9DC5
    package static let prime: UInt32 = 0x0100_0193

    /// Inlinable: the query parser, in another module, calls it for every byte of every name.
    @inlinable @inline(__always)
    package static func step(_ hash: UInt32, _ byte: UInt8) -> UInt32 {
        (hash ^ UInt32(byte)) &* Self.prime
    }

    package static func hash(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var hash = Self.seed
        for byte in bytes { hash = Self.step(hash, byte) }
        return hash
    }
}
