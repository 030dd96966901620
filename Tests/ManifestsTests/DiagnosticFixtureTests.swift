import ClusterModel
import IPAddressing
import Testing

@testable import Manifests

/// Each `Fixtures/invalid/<what-is-wrong>.yaml` sits next to `<what-is-wrong>.expected`, the exact
/// diagnostic lines `check` prints for it (load + derive, paths relative to the fixture folder),
/// and optionally `<what-is-wrong>.flags`, the `--service-cidr` / `--pod-cidr` flags it is checked with.
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

    /// The model options a fixture's `.flags` file names (defaults without one).
    static func options(for name: String) throws -> ModelOptions {
        let path = Self.folder + "/" + name.replacingSuffix(".yaml", with: ".flags")
        guard case .success(let bytes) = ManifestDirectory.read(path) else { return ModelOptions() }
        let words = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace).map(String.init)
        var services: [IPNetwork]?
        var pods: [IPNetwork]?
        for (flag, value) in zip(words, words.dropFirst()) {
            let blocks = value.split(separator: ",").compactMap { IPNetwork($0) }
            if flag == "--service-cidr" { services = (services ?? []) + blocks }
            if flag == "--pod-cidr" { pods = (pods ?? []) + blocks }
        }
        return ModelOptions(serviceCIDRs: services, podCIDRs: pods)
    }

    @Test(arguments: Self.fixtureNames)
    func fixturePrintsExactlyItsExpectedLines(name: String) throws {
        let bytes = try ManifestDirectory.read(Self.folder + "/" + name).get()
        let file = bytes.withUnsafeBytes { ManifestParser.parse($0, path: name) }
        let derivation = ClusterBuilder.derive([file], options: try Self.options(for: name))
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
