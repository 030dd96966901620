import Testing

@testable import Manifests

@Suite("YAML 1.1 scalar resolution, as the Kubernetes decoder sees scalars")
struct ScalarResolutionTests {
    @Test(arguments: [
        ("80", ScalarValue.integer(80)),
        ("-3", .integer(-3)),
        ("0x1F", .integer(31)),
        ("010", .integer(8)),
        ("0", .integer(0)),
        ("1_000", .integer(1000)),
        ("1.5", .float(1.5)),
        ("true", .boolean(true)),
        ("yes", .boolean(true)),
        ("Off", .boolean(false)),
        ("~", .null),
        ("null", .null),
        ("", .null),
        ("10.97.97.97", .string("10.97.97.97")),
        ("None", .string("None")),
        ("nginx-pod", .string("nginx-pod")),
        ("1.17.1", .string("1.17.1")),
    ])
    func plainScalars(text: String, expected: ScalarValue) {
        #expect(ManifestScalar(text, style: .plain).value == expected)
    }

    @Test func quotedScalarsAreAlwaysStrings() {
        #expect(ManifestScalar("80", style: .quoted).value == .string("80"))
        #expect(ManifestScalar("true", style: .quoted).value == .string("true"))
    }

    @Test func explicitStringTagWins() {
        #expect(ManifestScalar("80", style: .plain, tag: "tag:yaml.org,2002:str").value == .string("80"))
    }
}
