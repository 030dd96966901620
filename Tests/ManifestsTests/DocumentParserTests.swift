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
        // The alias is where it is written; what it holds is where the anchor is.
        #expect(documents[0]["copy"]?.line == 2)
        #expect(documents[0]["copy"]?.column == 7)
        #expect(documents[0]["copy"]?["x"]?.line == 1)
    }

    @Test func anAliasMayBeAKey() throws {
        let documents = try yaml("a: &k name\n*k : web\n").get()
        #expect(documents[0]["name"]?.scalar?.text == "web")
    }

    /// A key after a value with nested collections is found past the whole value, in YAML and
    /// JSON alike.
    @Test(arguments: [
        "{\"a\": {\"x\": [1, {\"y\": [2, 3]}, []], \"z\": {}}, \"b\": 3}",
        "a:\n  x:\n  - 1\n  - y: [2, 3]\n  - []\n  z: {}\nb: 3\n",
    ])
    func keysAfterNestedValuesAreFound(text: String) throws {
        let documents = try (text.hasPrefix("{") ? json(text) : yaml(text)).get()
        #expect(documents[0]["b"]?.scalar?.value == .integer(3))
        #expect(documents[0]["a"]?["x"]?.sequence?.count == 3)
        #expect(documents[0]["a"]?["x"]?.sequence?[1]["y"]?.sequence?.map { $0.scalar?.value } == [.integer(2), .integer(3)])
        #expect(documents[0]["a"]?["z"]?.pairs?.isEmpty == true)
        #expect(documents[0]["a"]?["x"]?.sequence?[2].sequence?.isEmpty == true)
        #expect(documents[0]["a"]?["y"] == nil)
        #expect(documents[0].pairs?.map { $0.key.scalar?.text } == ["a", "b"])
    }

    /// Keys are matched byte for byte, as the API server's decoder matches them: a key that
    /// only Unicode equivalence would make `kind` (here with a KELVIN SIGN) is another key.
    @Test func keysMatchByteForByte() throws {
        let documents = try yaml("\u{212A}ind: Service\nkind: Pod\n").get()
        #expect(documents[0]["Kind"] == nil)
        #expect(documents[0]["kind"]?.scalar?.text == "Pod")
    }

    @Test func nullDocumentsAreLeftOutAndTagsDecideNull() throws {
        let documents = try yaml("--- ~\n---\na: !!str null\nb: !!null \"\"\nc: null\nd: \"null\"\n--- null\n").get()
        #expect(documents.count == 1)
        #expect(documents[0]["a"]?.isNull == false)
        #expect(documents[0]["a"]?.scalar?.value == .string("null"))
        #expect(documents[0]["b"]?.isNull == true)
        #expect(documents[0]["c"]?.isNull == true)
        #expect(documents[0]["d"]?.isNull == false)
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
