/// Where each line of a file begins, to say on which line a zone file entry starts.
struct LineStarts {
    /// Byte offsets of line 1, 2, ...
    private var starts: [Int] = [0]
    private let bytes: [UInt8]

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = Array(bytes)
        for (offset, byte) in self.bytes.enumerated() where byte == UInt8(ascii: "\n") { self.starts.append(offset + 1) }
    }

    /// The first line in `(after, through]` holding more than blanks and a comment, else `through`.
    func firstContentLine(after: Int, through: Int) -> Int {
        var line = after + 1
        while line < through, line <= self.starts.count, self.isBlank(line) { line += 1 }
        return max(1, min(line, through))
    }

    private func isBlank(_ line: Int) -> Bool {
        var offset = self.starts[line - 1]
        while offset < self.bytes.count {
            switch self.bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): offset += 1
            case UInt8(ascii: "\n"), UInt8(ascii: ";"): return true
            default: return false
            }
        }
        return true
    }
}
