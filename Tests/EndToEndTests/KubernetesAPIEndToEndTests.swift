import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `serve`, `dump` and `check` reading the cluster from an API server: the test double in
/// Tests/FakeAPIServer (seeded with real payloads), the real binary, dig and raw queries. Every
/// wait is a poll with a deadline.
@Suite("Kubernetes API source: list, watch, changes, dump and check, kubectl", .serialized)
struct KubernetesAPIEndToEndTests {
    static func eventually<T: Equatable>(_ expected: T, timeout: TimeInterval = 10, _ probe: () throws -> T) rethrows -> T {
        try WatchEndToEndTests.eventually(expected, timeout: timeout, probe)
    }

    /// The rcode of a raw UDP query for `name` (A), nil when no reply came.
    static func rcode(_ name: String, port: Int) -> Int? {
        guard let reply = RawDNSClient.udp(RawDNSClient.query(name), port: port, timeout: 1), reply.count >= 4 else {
            return nil
        }
        return Int(reply[3] & 0x0F)
    }

    static func addresses(_ server: ServerProcess, _ name: String, _ type: String = "A") throws -> [String] {
        try server.dig(["+short", name, type]).split(separator: "\n").map(String.init).sorted()
    }

    /// Seconds from `start` until `probe` returns `expected` (polled every 10 ms, at most `timeout`).
    static func secondsUntil<T: Equatable>(_ expected: T, timeout: TimeInterval = 10, _ probe: () throws -> T) rethrows
        -> TimeInterval?
    {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if try probe() == expected { return Date().timeIntervalSince(start) }
            usleep(10_000)
        }
        return nil
    }

    @Test func startsAndServesTheListedClusterFromRealPayloads() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig"), "--http", "127.0.0.1:0"])
        defer { server.stop() }
        // kube-dns from a kubeadm cluster's list (01), l5d from a GKE list (02).
        #expect(try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") } == ["10.96.0.10"])
        #expect(try Self.addresses(server, "l5d.pythonsky.svc.cluster.local") == ["10.199.242.33"])
        #expect(
            try server.records("_dns._udp.kube-dns.kube-system.svc.cluster.local", "SRV")
                == ["_dns._udp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local."])
        #expect(try Self.addresses(server, "10.0.96.10.in-addr.arpa", "PTR") == ["kube-dns.kube-system.svc.cluster.local."])
        // The k3s pod (08), by its dashed address.
        #expect(try Self.addresses(server, "10-42-0-14.default.pod.cluster.local") == ["10.42.0.14"])
        let http = try #require(OperationsEndToEndTests.httpPort(server))
        #expect(HTTPClient.request(port: http, path: "/ready")?.status == 200)
        let metrics = HTTPClient.request(port: http, path: "/metrics")?.body ?? ""
        #expect(metrics.contains("clusterdns_kubernetes_synced{resource=\"services\"} 1"))
        #expect(metrics.contains("clusterdns_kubernetes_requests_total{resource=\"pods\",verb=\"list\"} 1"))
        // Refreshed each second.
        #expect(
            Self.eventually(true, timeout: 5) {
                HTTPClient.request(port: http, path: "/metrics")?.body.contains(
                    "clusterdns_kubernetes_last_event_age_seconds{resource=\"services\"}") == true
            })
    }

    @Test func addChangeAndDeleteAreEachServedWithinASecond() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig")])
        defer { server.stop() }
        _ = try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") }
        let name = "web.default.svc.cluster.local"

        try api.apply("services", FakeAPIServer.service("web", clusterIP: "10.96.7.7"))
        let added = try Self.secondsUntil(["10.96.7.7"]) { try Self.addresses(server, name) }
        #expect(added != nil && added! < 1, "added: \(String(describing: added))")

        try api.apply("services", FakeAPIServer.service("web", clusterIP: "10.96.8.8"))
        let changed = try Self.secondsUntil(["10.96.8.8"]) { try Self.addresses(server, name) }
        #expect(changed != nil && changed! < 1, "changed: \(String(describing: changed))")

        // A headless Service and its EndpointSlice: one A record per ready endpoint.
        try api.apply(
            "services",
            ["metadata": ["name": "db", "namespace": "default"], "spec": ["clusterIP": "None", "ports": [["name": "pg", "port": 5432]]]])
        try api.apply(
            "endpointslices",
            [
                "metadata": ["name": "db-abcde", "namespace": "default", "labels": ["kubernetes.io/service-name": "db"]],
                "addressType": "IPv4",
                "endpoints": [
                    ["addresses": ["10.244.1.5"], "conditions": ["ready": true]],
                    ["addresses": ["10.244.2.6"], "conditions": ["ready": false]],
                ],
                "ports": [["name": "pg", "port": 5432, "protocol": "TCP"]],
            ])
        let headless = try Self.secondsUntil(["10.244.1.5"]) { try Self.addresses(server, "db.default.svc.cluster.local") }
        #expect(headless != nil && headless! < 1)

        try api.delete("services", namespace: "default", name: "web")
        let deleted = Self.secondsUntil(3) { Self.rcode(name, port: server.port) }
        #expect(deleted != nil && deleted! < 1, "deleted: \(String(describing: deleted))")
    }

    @Test func twelveHundredServicesArriveAcrossPages() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let services = (0..<1200).map { index in
            FakeAPIServer.service("svc-\(index)", namespace: "ns-\(index % 7)", clusterIP: "10.97.\(index / 250).\(index % 250 + 1)")
        }
        let seed = directory.appendingPathComponent("services.json")
        try JSONSerialization.data(withJSONObject: ["services": services]).write(to: seed)
        let api = try FakeAPIServer(seeds: [seed.path])
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig")])
        defer { server.stop() }
        #expect(try Self.eventually(["10.97.0.1"]) { try Self.addresses(server, "svc-0.ns-0.svc.cluster.local") } == ["10.97.0.1"])
        #expect(try Self.addresses(server, "svc-1199.ns-2.svc.cluster.local") == ["10.97.4.200"])
        #expect(try Self.addresses(server, "svc-700.ns-0.svc.cluster.local") == ["10.97.2.201"])
        // 1,200 in pages of 500: three requests.
        #expect(try api.stats().lists["services"] == 3)
        let dump = try CommandRunner.clusterdns(["dump", "--kubeconfig", api.path("kubeconfig")])
        #expect(dump.status == 0)
        #expect(dump.stdout.split(separator: "\n").filter { $0.contains(".svc.cluster.local.\t5\tIN\tA\t10.97.") }.count == 1200)
    }

    @Test func inClusterReadsTheServiceAccount() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let account = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: account) }
        try FileManager.default.copyItem(atPath: api.path("ca.crt"), toPath: account.appendingPathComponent("ca.crt").path)
        try FileManager.default.copyItem(atPath: api.path("token"), toPath: account.appendingPathComponent("token").path)
        let server = try ServerProcess(
            ["--in-cluster", "--service-account-dir", account.path],
            environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT_HTTPS": "\(api.port)"])
        defer { server.stop() }
        #expect(try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") } == ["10.96.0.10"])
    }

    /// SIGHUP rebuilds every namespace from the objects held, and the answers stay.
    @Test func aHangupRebuildsEverything() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig")])
        defer { server.stop() }
        _ = try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") }
        let before = server.log.components(separatedBy: "published snapshot").count
        kill(server.process.processIdentifier, SIGHUP)
        #expect(Self.eventually(true, timeout: 10) { server.log.components(separatedBy: "published snapshot").count > before })
        #expect(server.log.contains("SIGHUP: full rebuild from the objects held"))
        #expect(server.process.isRunning)
        #expect(try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") == ["10.96.0.10"])
    }

    @Test func dumpAndCheckReadTheLiveCluster() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let dump = try CommandRunner.clusterdns(["dump", "--kubeconfig", api.path("kubeconfig-cert"), "--serial", "1"])
        #expect(dump.status == 0)
        #expect(dump.stdout.contains("kube-dns.kube-system.svc.cluster.local.\t5\tIN\tA\t10.96.0.10"))
        let check = try CommandRunner.clusterdns(["check", "--kubeconfig", api.path("kubeconfig")])
        #expect(check.status == 0)
        #expect(check.stdout.contains("https://127.0.0.1:\(api.port): "))
        #expect(check.stdout.contains("5 Service"))
        // The kind cluster's kube-dns slice names a CoreDNS pod the API server does not list.
        #expect(
            check.stderr.contains(
                "warning: EndpointSlice kube-system/kube-dns-22mvb: endpoint 10.244.0.3 names Pod kube-system/coredns-66bff467f8-z8czk, which does not exist"
            ), "\(check.stderr)")
        #expect(check.stdout.contains("0 errors, 1 warning"))

        // A token the server does not know: a clear error, exit 2.
        let bad = api.directory.appendingPathComponent("kubeconfig-bad")
        let text = try String(contentsOfFile: api.path("kubeconfig"), encoding: .utf8)
        let token = try String(contentsOfFile: api.path("token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try text.replacingOccurrences(of: token, with: "wrong").write(to: bad, atomically: true, encoding: .utf8)
        let refused = try CommandRunner.clusterdns(["dump", "--kubeconfig", bad.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("401 Unauthorized"))
        let missing = try CommandRunner.clusterdns(["check", "--kubeconfig", "/nonexistent/kubeconfig"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/kubeconfig"))
        let both = try CommandRunner.clusterdns(["check", "zones", "--kubeconfig", api.path("kubeconfig")])
        #expect(both.status == 2)
    }

    /// With `--external-zone`, Ingresses are listed and watched too, and Services' load balancer
    /// status arrives like any other field; kubectl reads the Ingresses from the test double.
    @Test func externalZonesFollowIngressesAndLoadBalancersFromTheAPI() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig"), "--external-zone", "example.org"])
        defer { server.stop() }
        _ = try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") }
        try api.apply(
            "ingresses",
            [
                "metadata": ["name": "shop", "namespace": "default"],
                "spec": ["rules": [["host": "shop.example.org"]]],
                "status": ["loadBalancer": ["ingress": [["ip": "203.0.113.20"]]]],
            ])
        #expect(try Self.eventually(["203.0.113.20"]) { try Self.addresses(server, "shop.example.org") } == ["203.0.113.20"])
        var web = FakeAPIServer.service("web", clusterIP: "10.96.7.7")
        web["status"] = ["loadBalancer": ["ingress": [["ip": "203.0.113.10"]]]]
        try api.apply("services", web)
        #expect(try Self.eventually(["203.0.113.10"]) { try Self.addresses(server, "web.default.example.org") } == ["203.0.113.10"])
        let kubectl = try CommandRunner.run(
            "/usr/bin/kubectl", ["--kubeconfig", api.path("kubeconfig"), "get", "ingresses", "-A", "-o", "name"], timeout: 60)
        #expect(kubectl.stdout.contains("ingress.networking.k8s.io/shop"), "\(kubectl.stderr)")
    }

    /// The test double answers a real client (kubectl) as the API server does: discovery, lists
    /// in chunks with continue, single objects, and a watch from a resourceVersion.
    @Test func theTestAPIServerSatisfiesKubectl() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let kubectl = "/usr/bin/kubectl"
        let kubeconfig = ["--kubeconfig", api.path("kubeconfig")]
        let list = try CommandRunner.run(
            kubectl, kubeconfig + ["get", "services", "--all-namespaces", "--chunk-size=2", "-o", "name"], timeout: 60)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(
            list.stdout.split(separator: "\n").sorted()
                == ["service/hello", "service/kube-dns", "service/l5d", "service/world", "service/world-v2"])
        let one = try CommandRunner.run(
            kubectl, kubeconfig + ["get", "service", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.spec.clusterIP}"],
            timeout: 60)
        #expect(one.stdout == "10.96.0.10", "\(one.stderr)")
        let slices = try CommandRunner.run(
            kubectl, ["--kubeconfig", api.path("kubeconfig-cert"), "get", "endpointslices", "-A", "-o", "name"], timeout: 60)
        #expect(slices.stdout.contains("endpointslice.discovery.k8s.io/kube-dns-22mvb"), "\(slices.stderr)")
        // A watch from the list's resourceVersion sees a later change, and a too-old one gets 410.
        let version = try CommandRunner.run(
            kubectl, kubeconfig + ["get", "--raw", "/api/v1/services?limit=1"], timeout: 60)
        let listed = try JSONSerialization.jsonObject(with: Data(version.stdout.utf8)) as? [String: Any]
        let metadata = listed?["metadata"] as? [String: Any]
        #expect(metadata?["continue"] != nil)
        let resourceVersion = try #require(metadata?["resourceVersion"] as? String)
        try api.apply("services", FakeAPIServer.service("watched", clusterIP: "10.96.1.1"))
        let watch = try CommandRunner.run(
            kubectl,
            kubeconfig + ["get", "--raw", "/api/v1/services?watch=1&resourceVersion=\(resourceVersion)&timeoutSeconds=1"],
            timeout: 60)
        #expect(watch.stdout.contains("\"type\": \"ADDED\""), "\(watch.stdout)")
        #expect(watch.stdout.contains("\"name\": \"watched\""))
        try api.control("/compact")
        let old = try CommandRunner.run(
            kubectl,
            kubeconfig + ["get", "--raw", "/api/v1/services?watch=1&resourceVersion=\(resourceVersion)&timeoutSeconds=1"],
            timeout: 60)
        #expect(old.stdout.contains("\"code\": 410"), "\(old.stdout) \(old.stderr)")
    }
}
