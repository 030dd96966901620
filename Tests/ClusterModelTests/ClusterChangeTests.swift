import ClusterModel
import IPAddressing
import Manifests
import Testing

/// Which namespaces a change touched is said once, by the model: the compiler recompiles exactly
/// those, so a namespace left out would keep stale answers and one put in costs a recompile.
@Suite("Changed namespaces: what differs, said once")
struct ClusterChangeTests {
    static func web(_ namespace: String, _ address: String) -> ClusterService {
        ClusterService(namespace: namespace, name: "web", clusterIPs: [IPAddress(address)!])
    }

    struct Example: Sendable, CustomTestStringConvertible {
        var label: String
        var before: Cluster
        var after: Cluster
        var candidates: Set<String>?
        var expected: Set<String>
        var testDescription: String { self.label }
    }

    static let examples: [Example] = [
        Example(
            label: "nothing changed", before: Cluster(namespaces: ["a"], services: [web("a", "10.96.0.1")]),
            after: Cluster(namespaces: ["a"], services: [web("a", "10.96.0.1")]), candidates: nil, expected: []),
        Example(
            label: "a service moved", before: Cluster(namespaces: ["a", "b"], services: [web("a", "10.96.0.1"), web("b", "10.96.0.2")]),
            after: Cluster(namespaces: ["a", "b"], services: [web("a", "10.96.0.9"), web("b", "10.96.0.2")]),
            candidates: nil, expected: ["a"]),
        Example(
            label: "an empty namespace appeared (it has names of its own)", before: Cluster(namespaces: ["a"]),
            after: Cluster(namespaces: ["a", "b"]), candidates: [], expected: ["b"]),
        Example(
            label: "a namespace went", before: Cluster(namespaces: ["a", "b"], services: [web("b", "10.96.0.2")]),
            after: Cluster(namespaces: ["a"]), candidates: [], expected: ["b"]),
        Example(
            label: "a candidate derived again to the same objects is not changed",
            before: Cluster(namespaces: ["a"], services: [web("a", "10.96.0.1")]),
            after: Cluster(namespaces: ["a"], services: [web("a", "10.96.0.1")]), candidates: ["a"], expected: []),
        Example(
            label: "only candidates are compared", before: Cluster(namespaces: ["a", "b"], services: [web("a", "10.96.0.1")]),
            after: Cluster(namespaces: ["a", "b"], services: [web("a", "10.96.0.9")]), candidates: ["b"], expected: []),
    ]

    @Test(arguments: Self.examples)
    func namespacesChanged(_ example: Example) {
        #expect(example.after.namespacesChanged(since: example.before, among: example.candidates) == example.expected)
    }

    @Test func aFileReadAgainToTheSameObjectsChangesNoNamespace() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: alpha}\nspec: {ports: [{port: 80}]}\n"
        var builder = IncrementalClusterBuilder(options: ModelOptions())
        let first = builder.derive([ManifestParser.parse(text, path: "a.yaml")], changed: ["a.yaml"])
        #expect(first.changedNamespaces == ["alpha"])
        // Touched and re-read: the same objects, with other comments and spacing.
        let again = builder.derive([ManifestParser.parse("# edited\n" + text, path: "a.yaml")], changed: ["a.yaml"])
        #expect(again.changedNamespaces.isEmpty)
        #expect(again.derivation.cluster == first.derivation.cluster)
    }

    /// A namespace with nothing in it exists by its Namespace object alone: it is named when
    /// that object comes and when it goes, and so is a namespace left empty by its last service.
    @Test func anEmptyNamespaceIsNamedWhenItComesAndGoes() {
        let web = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: alpha}\nspec: {ports: [{port: 80}]}\n"
        let alpha = "apiVersion: v1\nkind: Namespace\nmetadata: {name: alpha}\n"
        let delta = "apiVersion: v1\nkind: Namespace\nmetadata: {name: delta}\n"
        var builder = IncrementalClusterBuilder(options: ModelOptions())
        _ = builder.derive([ManifestParser.parse(web + "---\n" + alpha, path: "a.yaml")], changed: ["a.yaml"])
        let files = [ManifestParser.parse(web + "---\n" + alpha, path: "a.yaml"), ManifestParser.parse(delta, path: "d.yaml")]
        #expect(builder.derive(files, changed: ["d.yaml"]).changedNamespaces == ["delta"])
        #expect(builder.derive([files[0]], changed: ["d.yaml"]).changedNamespaces == ["delta"])
        let emptied = builder.derive([ManifestParser.parse(alpha, path: "a.yaml")], changed: ["a.yaml"])
        #expect(emptied.changedNamespaces == ["alpha"])
        #expect(emptied.derivation.cluster.partition(of: "alpha") == NamespacePartition())
        #expect(emptied.derivation.cluster.partition(of: "delta") == nil)
    }

    @Test func aFullDerivationStillNamesOnlyWhatDiffers() throws {
        // Claiming, by an explicit address, another namespace's own explicit address needs file
        // order, so the builder derives everything again; gamma is as it was and is not named.
        func service(_ name: String, _ namespace: String, _ address: String) -> String {
            "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: \(namespace)}\nspec: {clusterIP: \(address), ports: [{port: 80}]}\n"
        }
        var texts = ["a.yaml": service("web", "alpha", "10.96.0.10"), "c.yaml": service("db", "gamma", "10.96.0.30")]
        var builder = IncrementalClusterBuilder(options: ModelOptions())
        func files() -> [ManifestFile] { texts.keys.sorted().map { ManifestParser.parse(texts[$0] ?? "", path: $0) } }
        _ = builder.derive(files(), changed: Set(texts.keys))
        texts["b.yaml"] = service("api", "beta", "10.96.0.10")
        let second = builder.derive(files(), changed: ["b.yaml"])
        #expect(!second.changedNamespaces.contains("gamma"))
        #expect(second.changedNamespaces.contains("beta"))
        #expect(second.derivation.cluster == ClusterBuilder.derive(files()).cluster)
    }
}
