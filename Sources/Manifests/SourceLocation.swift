/// A position in a manifest file: the file's path as the user named it, and a 1-based line and
/// column (0 where only the line is known, as in a zone file: `FILE:LINE`).
package struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int

    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    package var description: String {
        self.column > 0 ? "\(self.file):\(self.line):\(self.column)" : "\(self.file):\(self.line)"
    }

    package static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
