import IPAddressing
import Testing

@testable import Manifests

@Suite("Manifest decoding: kinds, defaults, lists and per-document errors")
struct ManifestParserTests {
    private func parse(_ text: String, path: String = "test.yaml") -> ManifestFile {
        ManifestParser.parse(text, path: path)
    }

    private func messages(_ file: ManifestFile) -> [String] { file.diagnostics.map(\.description) }

    @Test func serviceDefaultsAreTheAPIServers() throws {
        let file = parse(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              selector: {app: web}
              ports:
                - port: 80
            """)
        #expect(file.diagnostics.isEmpty)
        guard case .service(let service) = try #require(file.objects.first).body else {
            Issue.record("expected a Service")
            return
        }
        #expect(service.metadata.namespace == "default")
        #expect(service.type == .clusterIP)
        #expect(service.ports == [ServicePort(port: 80)])
        #expect(service.ports[0].protocol == .tcp)
        #expect(service.ports[0].effectiveTargetPort == .number(80))
        #expect(service.selector == ["app": "web"])
        #expect(!service.isHeadless)
    }

    /// A repeated port name, or number and protocol, names the last port before it that used
    /// it, in a short list of ports and in a long one (searched differently) alike.
    @Test(arguments: [3, 40])
    func repeatedPortsNameTheirLastUse(_ count: Int) {
        var ports = ""
        for index in 0..<count {
            // Ports 0, 1 and 2 share the name `a`; ports 0 and 2 share 80/TCP; port 1 is 80/UDP.
            let name = index < 3 ? "a" : "p\(index)"
            let number = index < 3 ? 80 : 1000 + index
            let proto = index == 1 ? "UDP" : "TCP"
            ports += "    - {name: \(name), port: \(number), protocol: \(proto)}\n"
        }
        let file = parse("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n" + ports)
        let text = messages(file).joined(separator: "\n")
        #expect(text.contains("spec.ports[1].name \"a\" is already used by spec.ports[0]"))
        #expect(text.contains("spec.ports[2].name \"a\" is already used by spec.ports[1]"))
        #expect(text.contains("spec.ports[2] repeats port 80/TCP of spec.ports[0]"))
        #expect(!text.contains("spec.ports[1] repeats"), "80/UDP is another port than 80/TCP")
        #expect(file.diagnostics.count == 3, "\(text)")
    }

    @Test func everyKindIsRead() {
        let file = parse(
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: dev}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: dev, labels: {app: a}}
            spec:
              hostname: h
              subdomain: s
              containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]
            status:
              podIP: 10.244.0.5
              podIPs: [{ip: 10.244.0.5}, {ip: "fd00::5"}]
              conditions: [{type: Ready, status: "False"}]
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: manual, namespace: dev}
            subsets:
              - addresses: [{ip: 10.1.0.1, hostname: one}]
                notReadyAddresses: [{ip: 10.1.0.2}]
                ports: [{name: http, port: 80}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: manual-abc, namespace: dev, labels: {kubernetes.io/service-name: manual}}
            addressType: IPv4
            endpoints:
              - addresses: [10.1.0.3]
                conditions: {ready: true, terminating: false}
                hostname: three
            ports: [{name: http, port: 80, protocol: TCP}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d, namespace: dev}
            spec:
              selector: {matchLabels: {app: d}}
              template: {metadata: {labels: {app: d}}}
            ---
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: r, namespace: dev}
            spec:
              replicas: 2
              selector: {matchExpressions: [{key: app, operator: In, values: [r]}]}
              template: {metadata: {labels: {app: r}}}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: s, namespace: dev}
            spec:
              serviceName: s
              replicas: 0
              selector: {matchLabels: {app: s}}
              template: {metadata: {labels: {app: s}}}
            """)
        #expect(messages(file) == [])
        #expect(file.objects.map(\.kind) == [.namespace, .pod, .endpoints, .endpointSlice, .deployment, .replicaSet, .statefulSet])
        for object in file.objects {
            switch object.body {
            case .pod(let pod):
                #expect(pod.podIPs.map(\.description) == ["10.244.0.5", "fd00::5"])
                #expect(!pod.isReady)
                #expect(pod.hostname == "h" && pod.subdomain == "s")
                #expect(pod.ports == [ContainerPort(name: "http", containerPort: 8080)])
            case .endpoints(let endpoints):
                #expect(endpoints.subsets[0].addresses[0].hostname == "one")
                #expect(endpoints.subsets[0].notReadyAddresses.count == 1)
            case .endpointSlice(let slice):
                #expect(slice.serviceName == "manual")
                #expect(slice.endpoints[0].ready == true)
            case .workload(let workload):
                switch workload.kind {
                case .deployment: #expect(workload.replicas == 1)
                case .replicaSet: #expect(workload.replicas == 2)
                default:
                    #expect(workload.replicas == 0)
                    #expect(workload.serviceName == "s")
                }
            default: break
            }
        }
    }

    @Test func kubectlListAndAPIListsAreUnpacked() {
        let list = parse(
            """
            apiVersion: v1
            kind: List
            items:
              - {apiVersion: v1, kind: Namespace, metadata: {name: a}}
              - {apiVersion: v1, kind: Namespace, metadata: {name: b}}
            """)
        #expect(list.objects.map(\.metadata.name) == ["a", "b"])
        // API list responses carry no kind or apiVersion on their items.
        let apiList = parse(
            """
            {"kind": "ServiceList", "apiVersion": "v1", "metadata": {},
             "items": [{"metadata": {"name": "kube-dns", "namespace": "kube-system"},
                        "spec": {"clusterIP": "10.96.0.10", "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]}}]}
            """, path: "list.json")
        #expect(messages(apiList) == [])
        #expect(apiList.objects.map(\.identity.description) == ["Service kube-system/kube-dns"])
    }

    @Test func otherKindsAreSkippedAndCounted() {
        let file = parse(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: i}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: d}
            """)
        #expect(file.objects.isEmpty)
        #expect(file.diagnostics.isEmpty)
        #expect(file.skippedKinds == ["ConfigMap": 2, "HorizontalPodAutoscaler": 1])
    }

    @Test func aBadDocumentDoesNotStopTheRestOfTheFile() {
        let file = parse(
            """
            - just
            - a list
            ---
            kind: Service
            metadata: {name: no-version}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: bad, namespace: dev}
            spec:
              ports:
                - port: "80"
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: good}
            """)
        #expect(file.objects.map(\.metadata.name) == ["good"])
        #expect(
            messages(file) == [
                "test.yaml:1:1: error: document must be an object, got a list",
                "test.yaml:4:1: error: apiVersion is required",
                "test.yaml:12:13: error: Service dev/bad: spec.ports[0].port must be an integer, got string \"80\"",
            ])
    }

    @Test func missingNameIsAnError() {
        let file = parse("apiVersion: v1\nkind: Service\nmetadata:\n  namespace: dev\nspec: {}\n")
        #expect(messages(file) == ["test.yaml:4:3: error: Service: metadata.name is required"])
    }

    @Test func unparseableFileFailsAsAWhole() {
        let file = parse("apiVersion: v1\nkind: Namespace\nmetadata: {name: x\n")
        #expect(file.failedToParse)
        #expect(file.objects.isEmpty)
        #expect(file.diagnostics.count == 1)
    }

    @Test func oversizedFileIsRefusedBeforeParsing() {
        let limits = ManifestLimits(maximumFileSize: 10)
        let file = ManifestParser.parse("apiVersion: v1\nkind: Namespace\n", path: "big.yaml", limits: limits)
        #expect(file.failedToParse)
        #expect(messages(file) == ["big.yaml:1:1: error: file is 31 bytes, more than the limit of 10"])
    }

    /// Every file's objects are kept for reloads, so only the labels and annotations something
    /// reads are kept with them: a Pod's labels (selectors match them), an EndpointSlice's
    /// Service name, the tolerate-unready annotation; not last-applied-configuration, not the
    /// labels of a Service or a Namespace.
    @Test(arguments: [
        ("Pod", "v1", "{app: web, tier: front}", ["app": "web", "tier": "front"]),
        ("Service", "v1", "{app: web}", [:]),
        ("EndpointSlice", "discovery.k8s.io/v1",
         "{kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: x}", ["kubernetes.io/service-name": "web"]),
        ("Namespace", "v1", "{team: a}", [:]),
    ])
    func onlyTheLabelsAndAnnotationsReadAreKept(
        kind: String, apiVersion: String, labels: String, keptLabels: [String: String]
    ) throws {
        let file = parse(
            """
            apiVersion: \(apiVersion)
            kind: \(kind)
            metadata:
              name: web
              labels: \(labels)
              annotations:
                kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1","kind":"\(kind)"}'
                service.alpha.kubernetes.io/tolerate-unready-endpoints: "true"
            \(["EndpointSlice": "addressType: IPv4\nendpoints: []", "Service": "spec: {ports: [{port: 80}]}"][kind] ?? "")
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let metadata = try #require(file.objects.first).metadata
        #expect(metadata.labels == keptLabels)
        #expect(metadata.annotations == ["service.alpha.kubernetes.io/tolerate-unready-endpoints": "true"])
    }

    /// A file's objects are kept between reloads: a port list or label set that repeats is held
    /// once, and each object still reads its own values.
    @Test func repeatedPortListsAndLabelsShareOneCopy() throws {
        let file = parse(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: a}
            spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: b}
            spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: c}
            spec: {ports: [{name: http, port: 81}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p1, labels: {app: web, tier: front}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p2, labels: {app: web, tier: front}}
            """)
        #expect(file.diagnostics.isEmpty)
        let ports = file.objects.compactMap { object -> [ServicePort]? in
            if case .service(let service) = object.body { return service.ports } else { return nil }
        }
        let labels = file.objects.compactMap { object -> [String: String]? in
            if case .pod = object.body { return object.metadata.labels } else { return nil }
        }
        try #require(ports.count == 3 && labels.count == 2)
        func storage(_ ports: [ServicePort]) -> UnsafeRawPointer? { ports.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        #expect(storage(ports[0]) == storage(ports[1]))
        #expect(storage(ports[0]) != storage(ports[2]))
        #expect(ports[2].map(\.port) == [81] && ports[0].map(\.port) == [80])
        #expect(labels[0] == ["app": "web", "tier": "front"] && labels[1] == labels[0])
    }
}
