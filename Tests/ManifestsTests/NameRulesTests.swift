import Testing

@testable import Manifests

/// Object names as the current API server validates them (apimachinery's IsDNS1123Label and
/// IsDNS1123Subdomain), and pod names made host names as the kubelet makes them.
@Suite("Names: DNS-1123 labels and subdomains as the API server checks them")
struct NameRulesTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var name: String
        var isLabel: Bool
        var isSubdomain: Bool
        var testDescription: String { self.name }
    }

    static let examples: [Example] = [
        Example(name: "web", isLabel: true, isSubdomain: true),
        Example(name: "1password-connect", isLabel: true, isSubdomain: true),
        Example(name: "9x", isLabel: true, isSubdomain: true),
        Example(name: String(repeating: "a", count: 63), isLabel: true, isSubdomain: true),
        Example(name: String(repeating: "a", count: 64), isLabel: false, isSubdomain: true),
        Example(name: String(repeating: "a", count: 253), isLabel: false, isSubdomain: true),
        Example(name: String(repeating: "a", count: 254), isLabel: false, isSubdomain: false),
        Example(name: "web.v2-0", isLabel: false, isSubdomain: true),
        Example(name: String(repeating: "a", count: 70) + "." + String(repeating: "b", count: 70), isLabel: false, isSubdomain: true),
        Example(name: "-web", isLabel: false, isSubdomain: false),
        Example(name: "web-", isLabel: false, isSubdomain: false),
        Example(name: "Web", isLabel: false, isSubdomain: false),
        Example(name: "web..v2", isLabel: false, isSubdomain: false),
        Example(name: ".web", isLabel: false, isSubdomain: false),
        Example(name: "web.", isLabel: false, isSubdomain: false),
        Example(name: "web_v2", isLabel: false, isSubdomain: false),
        Example(name: "", isLabel: false, isSubdomain: false),
        // Where a part meets a dot: each part starts and ends alphanumeric.
        Example(name: "a.b.c", isLabel: false, isSubdomain: true),
        Example(name: "a", isLabel: true, isSubdomain: true),
        Example(name: "web.-v2", isLabel: false, isSubdomain: false),
        Example(name: "web-.v2", isLabel: false, isSubdomain: false),
        Example(name: "web.v2-", isLabel: false, isSubdomain: false),
        Example(name: ".", isLabel: false, isSubdomain: false),
        Example(name: "-", isLabel: false, isSubdomain: false),
        Example(name: "wéb", isLabel: false, isSubdomain: false),
    ]

    @Test(arguments: Self.examples)
    func labelsAndSubdomains(_ example: Example) {
        #expect((NameRules.dns1123LabelProblem(example.name) == nil) == example.isLabel)
        #expect((NameRules.dns1123SubdomainProblem(example.name) == nil) == example.isSubdomain)
    }

    @Test func aLongPodNameIsCutToAHostNameAsTheKubeletCutsIt() {
        let sixtyThree = String(repeating: "a", count: 62) + "b"
        #expect(NameRules.hostname(fromPodName: sixtyThree) == sixtyThree)
        #expect(NameRules.hostname(fromPodName: sixtyThree + "-0") == sixtyThree)
        // The cut leaves no trailing '-' or '.'.
        #expect(NameRules.hostname(fromPodName: String(repeating: "a", count: 61) + "--x") == String(repeating: "a", count: 61))
        #expect(NameRules.hostname(fromPodName: String(repeating: "a", count: 62) + ".x") == String(repeating: "a", count: 62))
    }

    @Test func serviceNamedWithALeadingDigitAndALongPodNameAreValid() {
        let longName = "web-" + String(repeating: "x", count: 70) + "-7d4b9c-abcde"
        let file = ManifestParser.parse(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: 1password-connect, namespace: 2048-game}
            spec: {ports: [{port: 8080}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: \(longName), namespace: 2048-game}
            spec: {containers: [{name: c}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web.v2-0, namespace: 2048-game}
            spec: {containers: [{name: c}]}
            """, path: "odd.yaml")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(file.objects.map(\.metadata.name) == ["1password-connect", longName, "web.v2-0"])
    }

    @Test func anExternalNameThatIsAnIPv4AddressIsServedWithAWarning() {
        let file = ManifestParser.parse(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: legacy-db, namespace: dev}
            spec: {type: ExternalName, externalName: 10.1.2.3}
            """, path: "ip.yaml")
        #expect(file.objects.count == 1)
        #expect(file.diagnostics.map(\.severity) == [.warning])
        #expect(file.diagnostics.first?.description.hasPrefix("ip.yaml:4:42: warning: Service dev/legacy-db: spec.externalName \"10.1.2.3\" is an IPv4 address") == true)
    }
}
