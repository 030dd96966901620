import ClusterModel
import IPAddressing
import Manifests
import Testing

/// Deriving only the namespaces a change touches must give what deriving everything gives.
@Suite("Incremental derivation matches full derivation")
struct IncrementalDerivationTests {
    struct Random {
        var state: UInt64
        mutating func below(_ bound: Int) -> Int {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var value = self.state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((value ^ (value >> 31)) % UInt64(bound))
        }
    }

    static let namespaces = ["alpha", "beta", "gamma"]

    /// A file of a few objects, possibly in several namespaces; addresses explicit so that
    /// allocation history cannot make the two derivations differ.
    static func randomFile(_ random: inout Random) -> String {
        var documents: [String] = []
        for _ in 0..<(1 + random.below(4)) {
            let namespace = Self.namespaces[random.below(Self.namespaces.count)]
            let name = ["web", "db", "cache", "queue"][random.below(4)]
            switch random.below(4) {
            case 0:
                documents.append(
                    "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: \(namespace)}\nspec: {clusterIP: None, selector: {app: \(name)}, ports: [{name: http, port: 80}]}\n")
            case 1:
                documents.append(
                    "apiVersion: v1\nkind: Pod\nmetadata: {name: \(name)-\(random.below(3)), namespace: \(namespace), labels: {app: \(name)}}\nstatus: {podIP: 10.244.\(random.below(4)).\(random.below(50) + 1)}\n")
            case 2:
                documents.append("apiVersion: v1\nkind: Namespace\nmetadata: {name: \(namespace)}\n")
            default:
                documents.append(
                    "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: \(namespace)}\nspec: {clusterIP: 10.96.\(random.below(2)).\(random.below(6) + 1), selector: {app: \(name)}, ports: [{name: http, port: 80}]}\n")
            }
        }
        return documents.joined(separator: "---\n")
    }

    /// With `setAside`, the files that did not change come without their objects, which the
    /// derivation must ask for (as the manifest tree gives them after setting them aside).
    @Test(arguments: [false, true]) func randomFileEditsGiveTheSameClusterAndDiagnostics(setAside: Bool) {
        var random = Random(state: 7)
        var texts: [String: String] = [:]
        for index in 0..<6 { texts["f\(index).yaml"] = Self.randomFile(&random) }
        var incremental = IncrementalClusterBuilder(options: ModelOptions())
        func files() -> [ManifestFile] {
            texts.keys.sorted().compactMap { path in texts[path].map { ManifestParser.parse($0, path: path) } }
        }
        _ = incremental.derive(files(), changed: Set(texts.keys))
        for round in 0..<60 {
            var changed: Set<String> = []
            for _ in 0..<(1 + random.below(2)) {
                let path = "f\(random.below(8)).yaml"
                changed.insert(path)
                if random.below(6) == 0 {
                    texts[path] = nil
                } else {
                    texts[path] = Self.randomFile(&random)
                }
            }
            var given = files()
            if setAside {
                for index in given.indices where !changed.contains(given[index].path) { given[index].objects = [] }
            }
            let whole = files()
            let result = incremental.derive(given, changed: changed) { file in
                whole.first { $0.path == file.path }?.objects ?? []
            }
            let full = ClusterBuilder.derive(whole)
            #expect(result.derivation.cluster == full.cluster, "round \(round): cluster")
            #expect(result.derivation.diagnostics == full.diagnostics, "round \(round): diagnostics")
            if result.derivation.cluster != full.cluster || result.derivation.diagnostics != full.diagnostics { return }
        }
    }

    @Test func allocatedAddressesStayPutAcrossUnrelatedChanges() {
        func service(_ name: String, _ namespace: String) -> String {
            "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: \(namespace)}\nspec: {ports: [{port: 80}]}\n"
        }
        var texts = ["a.yaml": service("web", "alpha"), "b.yaml": service("api", "beta")]
        var builder = IncrementalClusterBuilder(options: ModelOptions())
        func files() -> [ManifestFile] { texts.keys.sorted().map { ManifestParser.parse(texts[$0] ?? "", path: $0) } }
        let first = builder.derive(files(), changed: Set(texts.keys)).derivation.cluster
        texts["b.yaml"] = service("api", "beta") + "---\n" + service("worker", "beta")
        let second = builder.derive(files(), changed: ["b.yaml"])
        #expect(second.changedNamespaces == ["beta"])
        #expect(second.derivation.cluster.service(namespace: "alpha", name: "web") == first.service(namespace: "alpha", name: "web"))
        #expect(
            second.derivation.cluster.service(namespace: "beta", name: "api")?.clusterIPs
                == first.service(namespace: "beta", name: "api")?.clusterIPs)
        let all = second.derivation.cluster.services.flatMap(\.clusterIPs)
        #expect(Set(all).count == 3)
    }

    /// The incremental builder keeps each namespace's allocations between derivations: in a
    /// CIDR so small that allocations collide, services added one at a time in one namespace
    /// move none of those already there, and a synthesized pod and a node port keep theirs too.
    @Test func aNamespaceKeepsItsAllocationsAcrossItsOwnChanges() {
        let options = ModelOptions(serviceCIDRs: [IPNetwork("10.0.0.0/28")!])
        var builder = IncrementalClusterBuilder(options: options)
        var texts: [String] = [
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: alpha}\nspec: {replicas: 1, selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}}\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: np, namespace: alpha}\nspec: {type: NodePort, ports: [{port: 80}]}\n",
        ]
        var previous = builder.derive([ManifestParser.parse(texts.joined(separator: "---\n"), path: "a.yaml")], changed: ["a.yaml"])
        for index in 0..<8 {
            texts.append("apiVersion: v1\nkind: Service\nmetadata: {name: svc-\(7 - index), namespace: alpha}\nspec: {ports: [{port: 80}]}\n")
            let next = builder.derive([ManifestParser.parse(texts.joined(separator: "---\n"), path: "a.yaml")], changed: ["a.yaml"])
            for service in previous.derivation.cluster.services {
                #expect(next.derivation.cluster.service(namespace: "alpha", name: service.name) == service, "\(service.name) moved")
            }
            for pod in previous.derivation.cluster.pods {
                #expect(next.derivation.cluster.pods.first { $0.name == pod.name }?.ips == pod.ips, "\(pod.name) moved")
            }
            previous = next
        }
        #expect(Set(previous.derivation.cluster.services.flatMap(\.clusterIPs)).count == 9)
    }

    @Test func claimingAnAddressAnotherNamespaceWasAllocatedMovesThatServiceOnly() throws {
        func service(_ name: String, _ namespace: String, clusterIP: String? = nil) -> String {
            let address = clusterIP.map { "clusterIP: \($0), " } ?? ""
            return "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: \(namespace)}\nspec: {\(address)ports: [{port: 80}]}\n"
        }
        var texts = ["a.yaml": service("web", "alpha"), "b.yaml": service("api", "beta"), "c.yaml": service("db", "gamma")]
        var builder = IncrementalClusterBuilder(options: ModelOptions())
        func files() -> [ManifestFile] { texts.keys.sorted().map { ManifestParser.parse(texts[$0] ?? "", path: $0) } }
        let first = builder.derive(files(), changed: Set(texts.keys)).derivation.cluster
        let taken = try #require(first.service(namespace: "alpha", name: "web")?.clusterIPs.first)

        texts["b.yaml"] = service("api", "beta", clusterIP: taken.description)
        let second = builder.derive(files(), changed: ["b.yaml"])
        // Explicit claims are placed before allocation, so the claim wins and alpha/web moves;
        // gamma is untouched, and no full derivation was needed.
        #expect(second.changedNamespaces == ["alpha", "beta"])
        #expect(second.derivation.cluster.service(namespace: "beta", name: "api")?.clusterIPs == [taken])
        let moved = try #require(second.derivation.cluster.service(namespace: "alpha", name: "web")?.clusterIPs.first)
        #expect(moved != taken)
        #expect(second.derivation.cluster.service(namespace: "gamma", name: "db") == first.service(namespace: "gamma", name: "db"))
        #expect(second.derivation.diagnostics.filter(\.isError).isEmpty)
        #expect(Set(second.derivation.cluster.services.flatMap(\.clusterIPs)).count == 3)

        // A claim on another namespace's explicit claim: the first file keeps it, as in a full derivation.
        texts["c.yaml"] = service("db", "gamma", clusterIP: taken.description)
        let third = builder.derive(files(), changed: ["c.yaml"])
        let full = ClusterBuilder.derive(files(), hints: AllocationTable())
        #expect(third.derivation.cluster.service(namespace: "beta", name: "api")?.clusterIPs == [taken])
        #expect(third.derivation.diagnostics.filter(\.isError).map(\.message) == full.diagnostics.filter(\.isError).map(\.message))
    }
}
