/// Parses JSON text (RFC 8259; several top-level values one after another are several documents)
/// into a `ManifestTape`, with line and column. JSON files skip the YAML parser: this is a
/// single pass over the bytes, an order of magnitude faster, and tabs are fine here.
package struct JSONDocumentParser {
    private let bytes: UnsafeRawBufferPointer
    private let limits: ManifestLimits
    private var offset = 0
    private var line = 1
    private var lineStart = 0
    /// False: every node is at line 1, column 1 (see `parse`).
    private let positions: Bool
    private var tape: ManifestTape.Builder

    private init(bytes: UnsafeRawBufferPointer, limits: ManifestLimits, positions: Bool) {
        self.bytes = bytes
        self.limits = limits
        self.positions = positions
        self.tape = ManifestTape.Builder(expectedBytes: bytes.count)
    }

    /// The top-level values of `bytes`, in order. With `positions` false every node is placed at
    /// line 1, column 1: for API replies, where a position in one page means nothing, and an
    /// object must decode the same wherever a page or event carries it. Errors keep their position.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: ManifestLimits = .standard, positions: Bool = true
    ) -> Result<[ManifestNode], YAMLDocumentParser.Failure> {
        guard bytes.count <= ManifestTape.maximumInput else {
            return .failure(
                YAMLDocumentParser.Failure(line: 1, column: 1, message: "more than \(ManifestTape.maximumInput) bytes"))
        }
        var parser = JSONDocumentParser(bytes: bytes, limits: limits, positions: positions)
        do {
            var documents: [Int] = []
            parser.skipWhitespace()
            // A UTF-8 byte order mark is allowed before the first value.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                parser.offset = 3
                parser.lineStart = 3
                parser.skipWhitespace()
            }
            while parser.offset < bytes.count {
                documents.append(parser.tape.count)
                try parser.parseValue(depth: 0)
                parser.skipWhitespace()
            }
            let tape = parser.tape.finish()
            return .success(documents.map { ManifestNode(tape: tape, index: $0) })
        } catch {
            return .failure(error)
        }
    }

    private var column: Int { self.offset - self.lineStart + 1 }
    /// Where a node starts, as nodes record it.
    private var nodeLine: Int { self.positions ? self.line : 1 }
    private var nodeColumn: Int { self.positions ? self.column : 1 }

    private func failure(_ message: String) -> YAMLDocumentParser.Failure {
        YAMLDocumentParser.Failure(line: self.line, column: self.column, message: "not valid JSON: \(message)")
    }

    private mutating func skipWhitespace() {
        while self.offset < self.bytes.count {
            switch self.bytes[self.offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                self.offset += 1
            case UInt8(ascii: "\n"):
                self.offset += 1
                self.line += 1
                self.lineStart = self.offset
            default:
                return
            }
        }
    }

    /// Adds the value at the current offset, and everything in it, to the tape.
    private mutating func parseValue(depth: Int) throws(YAMLDocumentParser.Failure) {
        guard self.offset < self.bytes.count else { throw self.failure("unexpected end of input") }
        let line = self.nodeLine
        let column = self.nodeColumn
        switch self.bytes[self.offset] {
        case UInt8(ascii: "{"):
            guard depth < self.limits.maximumDepth else {
                throw YAMLDocumentParser.Failure(
                    line: line, column: column, message: "nested deeper than \(self.limits.maximumDepth) levels")
            }
            self.offset += 1
            let index = self.tape.open(mapping: true, line: line, column: column)
            var children = 0
            self.skipWhitespace()
            if self.peek == UInt8(ascii: "}") {
                self.offset += 1
                self.tape.close(index, children: 0)
                return
            }
            while true {
                self.skipWhitespace()
                guard self.peek == UInt8(ascii: "\"") else { throw self.failure("expected a string key") }
                try self.parseString()
                self.skipWhitespace()
                guard self.peek == UInt8(ascii: ":") else { throw self.failure("expected ':' after a key") }
                self.offset += 1
                self.skipWhitespace()
                try self.parseValue(depth: depth + 1)
                children += 2
                self.skipWhitespace()
                switch self.peek {
                case UInt8(ascii: ","): self.offset += 1
                case UInt8(ascii: "}"):
                    self.offset += 1
                    self.tape.close(index, children: children)
                    return
                default: throw self.failure("expected ',' or '}' in an object")
                }
            }
        case UInt8(ascii: "["):
            guard depth < self.limits.maximumDepth else {
                throw YAMLDocumentParser.Failure(
                    line: line, column: column, message: "nested deeper than \(self.limits.maximumDepth) levels")
            }
            self.offset += 1
            let index = self.tape.open(mapping: false, line: line, column: column)
            var children = 0
            self.skipWhitespace()
            if self.peek == UInt8(ascii: "]") {
                self.offset += 1
                self.tape.close(index, children: 0)
                return
            }
            while true {
                self.skipWhitespace()
                try self.parseValue(depth: depth + 1)
                children += 1
                self.skipWhitespace()
                switch self.peek {
                case UInt8(ascii: ","): self.offset += 1
                case UInt8(ascii: "]"):
                    self.offset += 1
                    self.tape.close(index, children: children)
                    return
                default: throw self.failure("expected ',' or ']' in a list")
                }
            }
        case UInt8(ascii: "\""):
            try self.parseString()
        case UInt8(ascii: "t"):
            try self.parseLiteral("true", line: line, column: column)
        case UInt8(ascii: "f"):
            try self.parseLiteral("false", line: line, column: column)
        case UInt8(ascii: "n"):
            try self.parseLiteral("null", line: line, column: column)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try self.parseNumber(line: line, column: column)
        default:
            throw self.failure("unexpected character '\(Self.printable(self.bytes[self.offset]))'")
        }
    }

    private var peek: UInt8? { self.offset < self.bytes.count ? self.bytes[self.offset] : nil }

    private static func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func parseLiteral(_ word: StaticString, line: Int, column: Int) throws(YAMLDocumentParser.Failure) {
        let count = word.utf8CodeUnitCount
        guard self.offset + count <= self.bytes.count else { throw self.failure("unexpected end of input") }
        for index in 0..<count where self.bytes[self.offset + index] != word.utf8Start[index] {
            throw self.failure("unexpected character '\(Self.printable(self.bytes[self.offset + index]))'")
        }
        self.offset += count
        self.tape.scalar(UnsafeBufferPointer(start: word.utf8Start, count: count), quoted: false, line: line, column: column)
    }

    private mutating func parseNumber(line: Int, column: Int) throws(YAMLDocumentParser.Failure) {
        let start = self.offset
        if self.peek == UInt8(ascii: "-") { self.offset += 1 }
        var digits = 0
        while let byte = self.peek {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): break
            default:
                guard digits > 0 else { throw self.failure("a number needs digits") }
                self.addNumber(from: start, line: line, column: column)
                return
            }
            self.offset += 1
        }
        guard digits > 0 else { throw self.failure("a number needs digits") }
        self.addNumber(from: start, line: line, column: column)
    }

    private mutating func addNumber(from start: Int, line: Int, column: Int) {
        self.tape.scalar(
            UnsafeBufferPointer(rebasing: self.bytes.assumingMemoryBound(to: UInt8.self)[start..<self.offset]), quoted: false,
            line: line, column: column)
    }

    private mutating func parseString() throws(YAMLDocumentParser.Failure) {
        let line = self.nodeLine
        let column = self.nodeColumn
        self.offset += 1  // the opening quote
        let start = self.offset
        // Fast path: no escapes.
        while self.offset < self.bytes.count {
            let byte = self.bytes[self.offset]
            if byte == UInt8(ascii: "\"") {
                self.tape.scalar(
                    UnsafeBufferPointer(rebasing: self.bytes.assumingMemoryBound(to: UInt8.self)[start..<self.offset]),
                    quoted: true, line: line, column: column)
                self.offset += 1
                return
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw self.failure("control character in a string") }
            self.offset += 1
        }
        var utf8: [UInt8] = Array(self.bytes[start..<self.offset])
        while self.offset < self.bytes.count {
            let byte = self.bytes[self.offset]
            self.offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                utf8.withUnsafeBufferPointer { _ = self.tape.scalar($0, quoted: true, line: line, column: column) }
                return
            case UInt8(ascii: "\\"):
                guard let escape = self.peek else { throw self.failure("unterminated string") }
                self.offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try self.parseHex4()
                    if (0xD800..<0xDC00).contains(scalar), self.offset + 1 < self.bytes.count,
                        self.bytes[self.offset] == UInt8(ascii: "\\"), self.bytes[self.offset + 1] == UInt8(ascii: "u")
                    {
                        self.offset += 2
                        let low = try self.parseHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                    }
                    let unicode = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    utf8.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw self.failure("unknown escape '\\\(Self.printable(escape))'")
                }
            default:
                if byte < 0x20 { throw self.failure("control character in a string") }
                utf8.append(byte)
            }
        }
        throw self.failure("unterminated string")
    }

    private mutating func parseHex4() throws(YAMLDocumentParser.Failure) -> UInt32 {
        guard self.offset + 4 <= self.bytes.count else { throw self.failure("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A")) + 10
            default: throw self.failure("bad \\u escape")
            }
            value = value << 4 | digit
            self.offset += 1
        }
        return value
    }
}
