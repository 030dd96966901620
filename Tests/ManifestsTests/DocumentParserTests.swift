import Testing

@testable import Manifests

@Suite("YAML and JSON document parsing, with positions")
struct DocumentParserTests {
    private func yaml(_ text: String) -> Result<[ManifestNode], YAMLDocumentParser.Failure> {
        var text = text
        return text.withUTF8 { YAMLDocumentParser.parse(UnsafeRawBufferPointer($0)) }
    }

    private func json(_ text: String) -> Result<[ManifestNode], YAMLDocumentParser.Failure> {
        var text = text
        return text.withUTF8 { JSONDocumentParser.parse(UnsafeRawBufferPointer($0)) }
    }

    @Test func multiDocumentYAMLKeepsEveryDocumentAndPosition() throws {
        let documents = try yaml("a: 1\n---\n# comment\nb:\n  c: [x, y]\n---\n").get()
        #expect(documents.count == 2)
        let c = try #require(documents[1]["b"]?["c"])
        #expect(c.line == 5)
        #expect(c.column == 6)
        #expect(c.sequence?.count == 2)
    }

    @Test func syntaxErrorNamesItsPosition() {
        guard case .failure(let failure) = yaml("a: 1\nb: c: d\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.line == 2)
        #expect(failure.message.hasPrefix("not valid YAML: mapping values are not allowed"))
    }

    @Test func aliasesShareTheAnchoredNode() throws {
        let documents = try yaml("base: &b {x: 1}\ncopy: *b\n").get()
        #expect(documents[0]["copy"]?["x"]?.scalar?.value == .integer(1))
    }

    @Test func aliasBombIsRefused() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        guard case .failure(let failure) = yaml(text) else {
            Issue.record("a YAML bomb must be refused")
            return
        }
        #expect(failure.message.contains("aliases expand to more than"))
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        guard case .failure(let failure) = yaml(text) else {
            Issue.record("nesting past the limit must be refused")
            return
        }
        #expect(failure.message.contains("nested deeper than"))
        guard case .failure = json(text) else {
            Issue.record("nesting past the limit must be refused in JSON too")
            return
        }
    }

    @Test func jsonValuesHaveTypesAndPositions() throws {
        let documents = try json("{\n\t\"a\": [1, \"two\", true, null, 2.5],\n  \"b\": \"\\u00e9\\n\"\n}").get()
        let a = try #require(documents.first?["a"]?.sequence)
        #expect(a.map { $0.scalar?.value } == [.integer(1), .string("two"), .boolean(true), .null, .float(2.5)])
        #expect(documents[0]["b"]?.scalar?.value == .string("é\n"))
        #expect(documents[0]["b"]?.line == 3)
        #expect(documents[0]["b"]?.column == 8)
    }

    @Test(arguments: ["{\"a\": }", "[1, 2", "{\"a\" 1}", "\"unterminated", "{'a': 1}", "[1,]"])
    func malformedJSONIsAnError(text: String) {
        guard case .failure(let failure) = json(text) else {
            Issue.record("\(text) must not parse")
            return
        }
        #expect(failure.message.hasPrefix("not valid JSON"))
    }

    @Test func invalidUTF8IsAnErrorWithPosition() {
        let bytes: [UInt8] = Array("a: 1\nb: ".utf8) + [0xFF, 0xFE, 0x0A]
        let result = bytes.withUnsafeBytes { YAMLDocumentParser.parse($0) }
        guard case .failure(let failure) = result else {
            Issue.record("binary content must not parse")
            return
        }
        #expect(failure.line == 2)
    }
}
