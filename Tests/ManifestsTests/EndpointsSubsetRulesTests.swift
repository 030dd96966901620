import Testing

@testable import Manifests

/// A legacy Endpoints object's subsets as the API server checks them (validateEndpointSubsets
/// and validateEndpointPort in pkg/apis/core/validation): an object it would refuse is left out
/// whole, with an error that names the field, and its neighbours are kept.
@Suite("Endpoints subsets: addresses, port names and numbers, as the API server checks them")
struct EndpointsSubsetRulesTests {
    private static func endpoints(addresses: String = "addresses: [{ip: 10.1.0.1}]", ports: [String]) -> String {
        "apiVersion: v1\nkind: Endpoints\nmetadata: {name: web, namespace: dev}\nsubsets:\n  - \(addresses)\n    ports:\n"
            + ports.map { "      - \($0)\n" }.joined()
    }

    private static let neighbour = "---\napiVersion: v1\nkind: Service\nmetadata: {name: next, namespace: dev}\nspec: {ports: [{port: 80}]}\n"

    /// (object text, the errors it gets; empty: the object is kept).
    static let cases: [(String, [String])] = [
        (endpoints(ports: ["{port: 80}"]), []),
        (endpoints(ports: ["{name: http, port: 80}", "{name: dns, port: 53, protocol: UDP}"]), []),
        // Unlike a slice's, a subset's port names may repeat.
        (endpoints(ports: ["{name: http, port: 80}", "{name: http, port: 8080}"]), []),
        (endpoints(addresses: "notReadyAddresses: [{ip: 10.1.0.2}]", ports: ["{port: 80}"]), []),
        (
            endpoints(ports: ["{name: http, port: 80}", "{port: 8080}"]),
            ["test.yaml:8:9: error: Endpoints dev/web: subsets[0].ports[1].name is required when a subset has more than one port"]
        ),
        (
            endpoints(ports: ["{name: http, port: 80}", "{name: \"\", port: 8080}"]),
            ["test.yaml:8:16: error: Endpoints dev/web: subsets[0].ports[1].name is required when a subset has more than one port"]
        ),
        (
            endpoints(ports: ["{name: Http, port: 80}"]),
            [
                "test.yaml:7:16: error: Endpoints dev/web: subsets[0].ports[0].name \"Http\" is not valid: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
            ]
        ),
        (
            endpoints(ports: ["{name: http}"]),
            ["test.yaml:7:9: error: Endpoints dev/web: subsets[0].ports[0].port is required"]
        ),
        // Each problem once: a list that is not one is not also a subset without addresses, an
        // entry that is not an object or a name that is not a string not also a missing name.
        (
            endpoints(addresses: "addresses: x", ports: ["{port: 80}"]),
            ["test.yaml:5:16: error: Endpoints dev/web: subsets[0].addresses must be a list, got string \"x\""]
        ),
        (
            endpoints(ports: ["{port: 80}", "x"]),
            ["test.yaml:8:9: error: Endpoints dev/web: subsets[0].ports[1] must be an object, got string \"x\""]
        ),
        (
            endpoints(ports: ["{name: {a: 1}, port: 80}", "{name: b, port: 81}"]),
            ["test.yaml:7:16: error: Endpoints dev/web: subsets[0].ports[0].name must be a string, got an object"]
        ),
        (
            endpoints(addresses: "addresses: []", ports: ["{port: 80}"]),
            ["test.yaml:5:5: error: Endpoints dev/web: subsets[0] must list addresses or notReadyAddresses"]
        ),
    ]

    @Test(arguments: cases)
    func objectIsKeptOrRefusedWhole(text: String, errors: [String]) {
        let file = ManifestParser.parse(text + Self.neighbour, path: "test.yaml")
        #expect(file.diagnostics.filter(\.isError).map(\.description) == errors)
        #expect(file.objects.map(\.kind) == (errors.isEmpty ? [.endpoints, .service] : [.service]))
    }
}
