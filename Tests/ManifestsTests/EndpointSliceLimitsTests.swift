import Testing

@testable import Manifests

/// The API server refuses an EndpointSlice past its limits or with unusable port names
/// (pkg/apis/discovery/validation): such a slice is left out whole, with an error that names
/// the field, and its neighbours are kept.
@Suite("EndpointSlice limits and port names, as the API server checks them")
struct EndpointSliceLimitsTests {
    private static func slice(endpoints: String = "  - addresses: [10.1.0.3]\n", ports: String) -> String {
        "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-abc, namespace: dev}\n"
            + "addressType: IPv4\nendpoints:\n\(endpoints)ports:\n\(ports)"
    }

    private static let neighbour = "---\napiVersion: v1\nkind: Service\nmetadata: {name: next, namespace: dev}\nspec: {ports: [{port: 80}]}\n"

    private static func ports(_ count: Int) -> String {
        (0..<count).map { "  - {name: p\($0), port: \(1000 + $0)}\n" }.joined()
    }

    private static func endpoints(_ count: Int) -> String {
        (0..<count).map { "  - addresses: [10.1.\($0 / 250).\($0 % 250)]\n" }.joined()
    }

    private static func endpoint(addresses count: Int) -> String {
        "  - addresses: [" + (0..<count).map { "10.2.0.\($0)" }.joined(separator: ", ") + "]\n"
    }

    /// (slice text, the errors it gets; empty: the slice is kept).
    static let cases: [(String, [String])] = [
        (slice(ports: "  - {name: http, port: 80}\n  - {name: dns, port: 53, protocol: UDP}\n"), []),
        (slice(ports: "  - {port: 80}\n"), []),
        (slice(ports: ports(100)), []),
        (slice(endpoints: endpoints(1000), ports: "  - {name: http, port: 80}\n"), []),
        (slice(endpoints: endpoint(addresses: 100), ports: "  - {name: http, port: 80}\n"), []),
        (
            slice(ports: ports(101)),
            ["test.yaml:8:3: error: EndpointSlice dev/web-abc: ports has 101 items; a slice holds at most 100"]
        ),
        (
            slice(endpoints: endpoints(1001), ports: "  - {name: http, port: 80}\n"),
            ["test.yaml:6:3: error: EndpointSlice dev/web-abc: endpoints has 1001 items; a slice holds at most 1000"]
        ),
        (
            slice(endpoints: endpoint(addresses: 101), ports: "  - {name: http, port: 80}\n"),
            [
                "test.yaml:6:16: error: EndpointSlice dev/web-abc: endpoints[0].addresses has 101 items; an endpoint holds at most 100"
            ]
        ),
        (
            slice(ports: "  - {name: http, port: 80}\n  - {name: http, port: 8080}\n"),
            ["test.yaml:9:12: error: EndpointSlice dev/web-abc: ports[1] repeats name \"http\" of ports[0]"]
        ),
        (
            slice(ports: "  - {port: 80}\n  - {port: 8080, protocol: UDP}\n"),
            ["test.yaml:9:5: error: EndpointSlice dev/web-abc: ports[1] repeats an empty name of ports[0]"]
        ),
        (
            slice(ports: "  - {name: \"\", port: 80}\n  - {name: null, port: 81}\n"),
            ["test.yaml:9:12: error: EndpointSlice dev/web-abc: ports[1] repeats an empty name of ports[0]"]
        ),
        // Each problem once: a value that is not a list, a name that is not a string (which is no
        // repeat of an empty name either).
        (slice(ports: " 80\n"), ["test.yaml:8:2: error: EndpointSlice dev/web-abc: ports must be a list, got integer 80"]),
        (
            slice(ports: "  - {name: 80, port: 80}\n  - {name: [a], port: 81}\n  - {port: 82}\n"),
            [
                "test.yaml:8:12: error: EndpointSlice dev/web-abc: ports[0].name must be a string, got integer 80",
                "test.yaml:9:12: error: EndpointSlice dev/web-abc: ports[1].name must be a string, got a list",
            ]
        ),
        (
            slice(ports: "  - {name: HTTP, port: 80}\n"),
            [
                "test.yaml:8:12: error: EndpointSlice dev/web-abc: ports[0].name \"HTTP\" is not valid: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
            ]
        ),
    ]

    @Test(arguments: cases)
    func sliceIsKeptOrRefusedWhole(text: String, errors: [String]) {
        let file = ManifestParser.parse(text + Self.neighbour, path: "test.yaml")
        #expect(file.diagnostics.filter(\.isError).map(\.description) == errors)
        #expect(file.objects.map(\.kind) == (errors.isEmpty ? [.endpointSlice, .service] : [.service]))
    }
}
