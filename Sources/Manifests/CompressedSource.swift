import CZlib

/// A file's bytes, deflated (zlib at its fastest level): what the manifest tree keeps of a file
/// whose parsed objects it has set aside, so that they can be had again exactly as they were
/// parsed — whatever the file on disk holds by then. YAML manifests deflate to about a tenth.
package struct CompressedSource: Sendable {
    private let deflated: [UInt8]
    private let count: Int

    /// nil when zlib fails (it does not on memory it was given room for).
    package init?(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else {
            self.deflated = []
            self.count = 0
            return
        }
        var room = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(room))
        let status = output.withUnsafeMutableBufferPointer { buffer in
            compress2(buffer.baseAddress, &room, base, uLong(bytes.count), 1)
        }
        guard status == Z_OK else { return nil }
        self.deflated = Array(output[0..<Int(room)])
        self.count = bytes.count
    }

    /// The bytes again; nil if the stored data does not inflate to them (never, short of a bug).
    package func bytes() -> [UInt8]? {
        guard self.count > 0 else { return [] }
        var output = [UInt8](repeating: 0, count: self.count)
        var length = uLong(self.count)
        let status = output.withUnsafeMutableBufferPointer { target in
            self.deflated.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &length, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK, Int(length) == self.count else { return nil }
        return output
    }
}
