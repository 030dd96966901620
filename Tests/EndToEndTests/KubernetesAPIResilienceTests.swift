import Foundation
import Synchronization
import Testing

/// The API source when the API misbehaves: watches dropped, etcd compacted (410 both ways),
/// outages, rotated tokens, expired continue tokens, the periodic relist, and starting while the
/// API is down. A suite of its own so that it runs beside KubernetesAPIEndToEndTests. Every wait
/// is a poll with a deadline.
@Suite("Kubernetes API source: dropped watches, 410, outages, tokens", .serialized)
struct KubernetesAPIResilienceTests {
    static func eventually<T: Equatable>(_ expected: T, timeout: TimeInterval = 10, _ probe: () throws -> T) rethrows -> T {
        try WatchEndToEndTests.eventually(expected, timeout: timeout, probe)
    }

    static func rcode(_ name: String, port: Int) -> Int? { KubernetesAPIEndToEndTests.rcode(name, port: port) }

    static func addresses(_ server: ServerProcess, _ name: String, _ type: String = "A") throws -> [String] {
        try KubernetesAPIEndToEndTests.addresses(server, name, type)
    }

    static func secondsUntil<T: Equatable>(_ expected: T, timeout: TimeInterval = 10, _ probe: () throws -> T) rethrows
        -> TimeInterval?
    {
        try KubernetesAPIEndToEndTests.secondsUntil(expected, timeout: timeout, probe)
    }

    @Test func aDroppedWatchIsResumedWithoutAList() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig")])
        defer { server.stop() }
        _ = try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") }
        for mode in ["close", "reset"] {
            let before = try api.stats()
            try api.control("/drop-watches", ["mode": mode])
            let ip = mode == "close" ? "10.96.9.1" : "10.96.9.2"
            try api.apply("services", FakeAPIServer.service("after-\(mode)", clusterIP: ip))
            #expect(try Self.eventually([ip], timeout: 5) { try Self.addresses(server, "after-\(mode).default.svc.cluster.local") } == [ip])
            let after = try api.stats()
            #expect(after.lists == before.lists, "a dropped watch (\(mode)) made a list: \(before.lists) → \(after.lists)")
            #expect(after.watches["services", default: 0] > before.watches["services", default: 0])
        }
    }

    /// Watches resumed after an outage during which etcd compacted: 410, a new list built beside
    /// the old state, swapped in; a stable name never answers NXDOMAIN (nor SERVFAIL) meanwhile.
    @Test(arguments: [false, true])
    func compactionMeansAListAndStableNamesNeverVanish(goneAsStatus: Bool) throws {
        let api = try FakeAPIServer(extra: goneAsStatus ? ["--gone-as-status"] : [])
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig")])
        defer { server.stop() }
        let stable = "kube-dns.kube-system.svc.cluster.local"
        _ = try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, stable) }
        try api.apply("services", FakeAPIServer.service("doomed", clusterIP: "10.96.3.3"))
        _ = try Self.eventually(["10.96.3.3"]) { try Self.addresses(server, "doomed.default.svc.cluster.local") }
        let before = try api.stats()

        let rcodes = Mutex<[Int?]>([])
        let stop = Atomic(false)
        let port = server.port
        let poller = Thread {
            let deadline = Date().addingTimeInterval(30)
            while !stop.load(ordering: .relaxed), Date() < deadline {
                let code = Self.rcode(stable, port: port)
                rcodes.withLock { $0.append(code) }
                usleep(5_000)
            }
        }
        poller.start()
        try api.control("/down")
        try api.apply("services", FakeAPIServer.service("born-in-outage", clusterIP: "10.96.4.4"))
        try api.delete("services", namespace: "default", name: "doomed")
        try api.control("/compact")
        usleep(500_000)
        try api.control("/up")
        let born = try Self.eventually(["10.96.4.4"], timeout: 10) {
            try Self.addresses(server, "born-in-outage.default.svc.cluster.local")
        }
        let gone = Self.eventually(3, timeout: 5) { Self.rcode("doomed.default.svc.cluster.local", port: port) }
        stop.store(true, ordering: .relaxed)
        while poller.isExecuting || !poller.isFinished { usleep(10_000) }
        #expect(born == ["10.96.4.4"])
        #expect(gone == 3)
        let seen = rcodes.withLock { $0 }
        #expect(seen.count > 20)
        #expect(seen.allSatisfy { $0 == 0 }, "the stable name answered \(Set(seen.map { String(describing: $0) }))")
        let after = try api.stats()
        #expect(after.lists["services", default: 0] > before.lists["services", default: 0], "410 made no list")
    }

    @Test func anOutageKeepsTheAnswersAndAChangeDuringItArrivesAfter() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig"), "--http", "127.0.0.1:0"])
        defer { server.stop() }
        let stable = "kube-dns.kube-system.svc.cluster.local"
        _ = try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, stable) }
        let http = try #require(OperationsEndToEndTests.httpPort(server))
        try api.control("/down")
        try api.apply("services", FakeAPIServer.service("during", clusterIP: "10.96.6.6"))
        let outageEnd = Date().addingTimeInterval(5)
        while Date() < outageEnd {
            #expect(try Self.addresses(server, stable) == ["10.96.0.10"])
            #expect(HTTPClient.request(port: http, path: "/ready")?.status == 200)
            usleep(250_000)
        }
        try api.control("/up")
        // Back within the backoff's cap (5 s) of the API returning.
        let arrived = try Self.secondsUntil(["10.96.6.6"], timeout: 10) { try Self.addresses(server, "during.default.svc.cluster.local") }
        #expect(arrived != nil && arrived! < 6.5, "arrived: \(String(describing: arrived))")
        #expect(server.log.contains("failed"))
    }

    @Test func aRotatedTokenFileIsReadAgain() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig-tokenfile")])
        defer { server.stop() }
        _ = try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") }
        // The kubelet writes a new token; the old one stops working; the watches are cut.
        let fresh = "rotated-\(UUID().uuidString)"
        try (fresh + "\n").write(toFile: api.path("token"), atomically: true, encoding: .utf8)
        try api.control("/tokens", ["tokens": [fresh]])
        try api.control("/drop-watches", ["mode": "reset"])
        try api.apply("services", FakeAPIServer.service("after-rotation", clusterIP: "10.96.5.5"))
        #expect(
            try Self.eventually(["10.96.5.5"], timeout: 8) { try Self.addresses(server, "after-rotation.default.svc.cluster.local") }
                == ["10.96.5.5"])
    }

    /// The safety net: every resource listed again each --relist-interval, with the old state
    /// served meanwhile.
    @Test func thePeriodicRelistListsEveryResourceAgain() throws {
        let api = try FakeAPIServer()
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig"), "--relist-interval", "2s", "--http", "127.0.0.1:0"])
        defer { server.stop() }
        _ = try Self.eventually(["10.96.0.10"]) { try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") }
        let relisted = try Self.eventually(true, timeout: 8) {
            // The four read without --external-zone (Ingresses are listed only with it).
            let lists = try api.stats().lists
            return ["namespaces", "services", "endpointslices", "pods"].allSatisfy { (lists[$0] ?? 0) >= 2 }
        }
        #expect(relisted, "\((try? api.stats().lists) ?? [:])")
        #expect(try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") == ["10.96.0.10"])
        let http = try #require(OperationsEndToEndTests.httpPort(server))
        let metrics = HTTPClient.request(port: http, path: "/metrics")?.body ?? ""
        #expect(metrics.contains("clusterdns_kubernetes_relists_total{resource=\"services\"}"))
        let refused = try CommandRunner.clusterdns(["serve", "--kubeconfig", api.path("kubeconfig"), "--relist-interval", "0s"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--relist-interval must be a positive duration"))
    }

    /// A continue token that expired between two pages (etcd compacted meanwhile): the list
    /// starts over, and the whole cluster arrives.
    @Test func anExpiredContinueTokenStartsTheListOver() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let services = (0..<1100).map { index in
            FakeAPIServer.service("svc-\(index)", namespace: "ns-\(index % 5)", clusterIP: "10.98.\(index / 250).\(index % 250 + 1)")
        }
        let seed = directory.appendingPathComponent("services.json")
        try JSONSerialization.data(withJSONObject: ["services": services]).write(to: seed)
        let api = try FakeAPIServer(seeds: [seed.path], extra: ["--expire-continue-once"])
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig")])
        defer { server.stop() }
        #expect(try Self.eventually(["10.98.4.100"]) { try Self.addresses(server, "svc-1099.ns-4.svc.cluster.local") } == ["10.98.4.100"])
        #expect(try Self.addresses(server, "svc-0.ns-0.svc.cluster.local") == ["10.98.0.1"])
        // Page 1, page 2 refused (410), then pages 1, 2 and 3 again.
        #expect(try api.stats().lists["services"] == 5)
    }

    @Test func startingWhileTheAPIIsDownAnswersServfailUntilItIsUp() throws {
        let api = try FakeAPIServer(extra: ["--start-down"])
        defer { api.stop() }
        let server = try ServerProcess(["--kubeconfig", api.path("kubeconfig"), "--http", "127.0.0.1:0"])
        defer { server.stop() }
        let http = try #require(OperationsEndToEndTests.httpPort(server))
        // Listening at once; our names are SERVFAIL (never a cacheable NXDOMAIN), /ready says why.
        #expect(Self.rcode("kube-dns.kube-system.svc.cluster.local", port: server.port) == 2)
        #expect(Self.rcode("nothing-here.default.svc.cluster.local", port: server.port) == 2)
        let ready = HTTPClient.request(port: http, path: "/ready")
        #expect(ready?.status == 503)
        #expect(ready?.body.contains("waiting for the first complete list of namespaces, services, endpointslices, pods") == true)
        usleep(1_000_000)
        #expect(server.process.isRunning)
        try api.control("/up")
        let up = try Self.secondsUntil(["10.96.0.10"], timeout: 10) { try Self.addresses(server, "kube-dns.kube-system.svc.cluster.local") }
        #expect(up != nil && up! < 5, "names came \(String(describing: up)) s after the API")
        #expect(HTTPClient.request(port: http, path: "/ready")?.status == 200)
        #expect(Self.rcode("nothing-here.default.svc.cluster.local", port: server.port) == 3)
    }
}
