import ClusterModel
import Testing

@testable import Manifests

/// Each `Fixtures/invalid/<what-is-wrong>.yaml` sits next to `<what-is-wrong>.expected`, the exact
/// diagnostic lines `check` prints for it (load + derive, paths relative to the fixture folder).
@Suite("Diagnostic fixtures: the exact lines check prints")
struct DiagnosticFixtureTests {
    static let folder: String = {
        let path = #filePath
        let directory = path[..<(path.lastIndex(of: "/") ?? path.endIndex)]
        return directory + "/Fixtures/invalid"
    }()

    static var fixtureNames: [String] {
        (ManifestDirectory.scan(Self.folder) ?? []).map { entry in
            String(entry.path.split(separator: "/").last ?? "")
        }
    }

    @Test func thereAreFixtures() {
        #expect(Self.fixtureNames.count >= 19)
    }

    @Test(arguments: Self.fixtureNames)
    func fixturePrintsExactlyItsExpectedLines(name: String) throws {
        let bytes = try ManifestDirectory.read(Self.folder + "/" + name).get()
        let file = bytes.withUnsafeBytes { ManifestParser.parse($0, path: name) }
        let derivation = ClusterBuilder.derive([file])
        let actual = derivation.diagnostics.map(\.description)
        let expectedPath = Self.folder + "/" + name.replacingSuffix(".yaml", with: ".expected")
        let expectedBytes = try ManifestDirectory.read(expectedPath).get()
        let expected = String(decoding: expectedBytes, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(actual == expected, "\(name)")
        #expect(derivation.summary.errors > 0, "an invalid fixture must produce an error")
    }
}

extension String {
    fileprivate func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        self.hasSuffix(suffix) ? String(self.dropLast(suffix.count)) + replacement : self
    }
}
