import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The operations surface with the real binary: metrics, probes, logs, shutdown, deployment files.
@Suite("Operations: metrics, health, readiness, logs, lameduck", .serialized)
struct OperationsEndToEndTests {
    /// The HTTP port from the "http listening on" log line.
    static func httpPort(_ server: ServerProcess) -> Int? {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let range = server.log.range(of: "http listening on ") {
                let address = server.log[range.upperBound...].prefix { $0 != " " && $0 != "\n" }
                if let colon = address.lastIndex(of: ":") { return Int(address[address.index(after: colon)...]) }
            }
            usleep(20_000)
        }
        return nil
    }

    /// The value of the first metric line starting with `prefix`, 0 when absent.
    static func metric(_ text: String, _ prefix: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    @Test func countersMoveByExactlyTheQueriesMade() throws {
        let server = try ServerProcess(["--manifests", "zones", "--http", "127.0.0.1:0"])
        defer { server.stop() }
        let port = try #require(Self.httpPort(server))
        let server1 = "server=\"dns://127.0.0.1:\(server.port)\",zone=\".\""
        let before = HTTPClient.request(port: port, path: "/metrics")?.body ?? ""
        for _ in 0..<3 { _ = try server.dig(["+short", "service-clusterip.dev.svc.cluster.local"]) }
        for _ in 0..<2 { _ = try server.dig(["+tcp", "+short", "SRV", "_web._tcp.nginx.dev.svc.cluster.local"]) }
        _ = try server.dig(["+short", "nope.dev.svc.cluster.local"])
        let after = try #require(HTTPClient.request(port: port, path: "/metrics"))
        #expect(after.status == 200)
        let udpA = "clusterdns_dns_requests_total{\(server1),proto=\"udp\",family=\"1\",type=\"A\"}"
        let tcpSRV = "clusterdns_dns_requests_total{\(server1),proto=\"tcp\",family=\"1\",type=\"SRV\"}"
        let noError = "clusterdns_dns_responses_total{\(server1),rcode=\"NOERROR\",plugin=\"kubernetes\"}"
        let nxDomain = "clusterdns_dns_responses_total{\(server1),rcode=\"NXDOMAIN\",plugin=\"kubernetes\"}"
        #expect(Self.metric(after.body, udpA) - Self.metric(before, udpA) == 4)
        #expect(Self.metric(after.body, tcpSRV) - Self.metric(before, tcpSRV) == 2)
        #expect(Self.metric(after.body, noError) - Self.metric(before, noError) == 5)
        #expect(Self.metric(after.body, nxDomain) - Self.metric(before, nxDomain) == 1)
        let durationCount = "clusterdns_dns_request_duration_seconds_count{\(server1),type=\"A\"}"
        #expect(Self.metric(after.body, durationCount) == 4)
        for series in [
            "clusterdns_dns_request_size_bytes_bucket", "clusterdns_dns_response_size_bytes_bucket",
            "clusterdns_build_info{version=", "clusterdns_reload_total{result=\"success\"}", "clusterdns_records ",
            "clusterdns_manifest_errors ", "clusterdns_reload_duration_seconds_bucket",
            "clusterdns_last_reload_success_timestamp_seconds ",
        ] {
            #expect(after.body.contains(series), "\(series) missing")
        }
        #expect(HTTPClient.request(port: port, path: "/health").map { ($0.status, $0.body) } ?? (0, "") == (200, "OK"))
        #expect(HTTPClient.request(port: port, path: "/ready")?.status == 200)
        #expect(HTTPClient.request(port: port, path: "/nowhere")?.status == 404)
        #expect(HTTPClient.request("POST", port: port, path: "/health")?.status == 405)
        #expect(HTTPClient.request("HEAD", port: port, path: "/health").map { ($0.status, $0.body) } ?? (0, "x") == (200, ""))
    }

    @Test func forwarderSeriesAppearWithForwarding() throws {
        let upstream = try NSDServer(zones: ["example.test": ResolverEndToEndTests.upstreamZone])
        defer { upstream.stop() }
        let server = try ServerProcess([
            "--manifests", "zones", "--http", "127.0.0.1:0", "--upstream", "127.0.0.1:\(upstream.port)",
        ])
        defer { server.stop() }
        let port = try #require(Self.httpPort(server))
        for _ in 0..<3 { _ = try server.dig(["+short", "www.example.test"]) }
        let body = HTTPClient.request(port: port, path: "/metrics")?.body ?? ""
        let to = "to=\"127.0.0.1:\(upstream.port)\""
        let dnsServer = "server=\"dns://127.0.0.1:\(server.port)\""
        // The start-up loop probe is not counted: one miss went upstream, two came from the cache.
        #expect(Self.metric(body, "clusterdns_forward_requests_total{\(to)}") == 1)
        #expect(Self.metric(body, "clusterdns_forward_responses_total{\(to),rcode=\"NOERROR\"}") == 1)
        #expect(Self.metric(body, "clusterdns_forward_healthcheck_broken_total") == 0)
        #expect(Self.metric(body, "clusterdns_cache_hits_total{\(dnsServer),type=\"success\",zones=\".\"}") == 2)
        #expect(Self.metric(body, "clusterdns_cache_misses_total{\(dnsServer),zones=\".\"}") == 1)
        #expect(Self.metric(body, "clusterdns_cache_entries{\(dnsServer),type=\"success\",zones=\".\"}") == 1)
        #expect(body.contains("clusterdns_forward_request_duration_seconds_bucket{\(to),le="))
        #expect(Self.metric(body, "clusterdns_dns_responses_total{\(dnsServer),zone=\".\",rcode=\"NOERROR\",plugin=\"forward\"}") == 3)
        // Forwarded questions count their size like any other.
        #expect(Self.metric(body, "clusterdns_dns_request_size_bytes_count{\(dnsServer),zone=\".\",proto=\"udp\"}") == 3)
        #expect(Self.metric(body, "clusterdns_dns_request_size_bytes_sum{\(dnsServer),zone=\".\",proto=\"udp\"}") > 3 * 30)
    }

    @Test func readyIsUnavailableUntilTheFirstLoadAndAFailingReloadIsReported() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Big enough that the first load takes a while in a debug build.
        let generated = try CommandRunner.run(
            "/usr/bin/python3",
            [CommandRunner.packageRoot.appendingPathComponent("bench/generate.py").path, "--services", "6000", "--out", directory.path])
        #expect(generated.status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        let log = directory.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.arguments = [
            "serve", "--manifests", directory.path, "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--upstream", "none",
        ]
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        var httpPort: Int?
        var sawNotReady = false
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if httpPort == nil, let range = text.range(of: "http listening on ") {
                let address = text[range.upperBound...].prefix { $0 != " " && $0 != "\n" }
                httpPort = address.lastIndex(of: ":").flatMap { Int(address[address.index(after: $0)...]) }
            }
            if let httpPort, let response = HTTPClient.request(port: httpPort, path: "/ready") {
                if response.status == 503 {
                    // Loading, then binding the DNS listeners once the first snapshot is there.
                    #expect(
                        response.body.contains("initial manifest load not finished") || response.body == "no listener bound\n",
                        "\(response.body)")
                    sawNotReady = true
                } else if response.status == 200 {
                    break
                }
            }
            usleep(10_000)
        }
        #expect(sawNotReady, "/ready should answer 503 while the first load runs")
        let port = try #require(httpPort)
        #expect(HTTPClient.request(port: port, path: "/ready")?.status == 200)

        // A failing reload: readiness stays, the body and the metrics say so.
        try "kind: [\n".write(to: directory.appendingPathComponent("ns-0000.yaml"), atomically: false, encoding: .utf8)
        let failing = WatchEndToEndTests.eventually(true, timeout: 20) {
            HTTPClient.request(port: port, path: "/ready")?.body.contains("the last reload failed") == true
        }
        #expect(failing)
        let ready = HTTPClient.request(port: port, path: "/ready")
        #expect(ready?.status == 200)
        #expect(ready?.body.contains("ns-0000.yaml") == true)
        let metrics = HTTPClient.request(port: port, path: "/metrics")?.body ?? ""
        #expect(Self.metric(metrics, "clusterdns_reload_total{result=\"failure\"}") == 1)
    }

    @Test func sigtermKeepsAnsweringThroughTheLameduckWindowThenExitsZero() throws {
        let server = try ServerProcess(["--manifests", "zones", "--http", "127.0.0.1:0", "--lameduck", "2"])
        let port = try #require(Self.httpPort(server))
        kill(server.process.processIdentifier, SIGTERM)
        let started = Date()
        var answered = 0
        var failed = 0
        while Date().timeIntervalSince(started) < 1.5 {
            let reply = RawDNSClient.udp(RawDNSClient.query("service-clusterip.dev.svc.cluster.local"), port: server.port, timeout: 0.5)
            if reply.map({ $0[3] & 0x0F == 0 && $0[7] == 1 }) == true { answered += 1 } else { failed += 1 }
            usleep(50_000)
        }
        #expect(answered > 10)
        #expect(failed == 0, "queries dropped inside the lameduck window")
        #expect(HTTPClient.request(port: port, path: "/ready")?.status == 503)
        #expect(HTTPClient.request(port: port, path: "/health")?.status == 200)
        #expect(server.stop() == 0)
    }

    /// SIGTERM during the first load, before any listener is bound: the process still ends,
    /// once that load is done. (The reload service waits for the listeners before it tidies up
    /// after the first build; a shutdown that stops the DNS service first must end that wait.)
    @Test func sigtermDuringTheFirstLoadEndsTheProcess() throws {
        // Ten thousand services: a first load of seconds in a debug build.
        var files: [String: String] = [:]
        for file in 0..<10 {
            files["ns-\(file).yaml"] = (0..<1000).map { index in
                "apiVersion: v1\nkind: Service\nmetadata: {name: s\(index), namespace: ns-\(file)}\n"
                    + "spec: {clusterIP: 10.96.\(file * 4 + index / 250).\(index % 250 + 1), ports: [{name: http, port: 80}]}\n"
            }.joined(separator: "---\n")
        }
        let directory = try HostileManifestTests.tree(files)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        process.arguments = ["serve", "--manifests", directory.path, "--listen", "127.0.0.1:0", "--upstream", "none", "--http", "none"]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        // SIGTERM once the server handles it (the service group takes it over as it starts).
        let pid = process.processIdentifier
        let handled = WatchEndToEndTests.eventually(true, timeout: 30) { Self.handlesSIGTERM(pid) }
        #expect(handled)
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(!process.isRunning, "still running a minute after SIGTERM: \(text)")
        // Else the signal came after the first load and this test did not test what it says.
        #expect(!text.contains("listening on"), "the listeners bound before SIGTERM")
        #expect(text.contains("shutdown signal received"))
    }

    /// Whether the process `pid` has taken SIGTERM over from its default action: caught, or
    /// ignored so that a dispatch source delivers it (how the service group listens for it), as
    /// bit 14 of SigCgt or SigIgn in its status says.
    private static func handlesSIGTERM(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        let bit = UInt64(1) << (SIGTERM - 1)
        for line in status.split(separator: "\n") where line.hasPrefix("SigCgt:") || line.hasPrefix("SigIgn:") {
            let field = line.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces)
            if let mask = UInt64(field, radix: 16), mask & bit != 0 { return true }
        }
        return false
    }

    @Test func jsonLogsAreOneObjectPerLine() throws {
        let server = try ServerProcess(["--manifests", "zones", "--log-format", "json", "--query-log"])
        _ = try server.dig(["+short", "service-clusterip.dev.svc.cluster.local"])
        let lines = WatchEndToEndTests.eventually(true) { server.log.contains("\"qname\"") } ? server.log : ""
        #expect(server.stop() == 0)
        let objects = lines.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == lines.split(separator: "\n").count, "every line is a JSON object")
        #expect(objects.contains { $0["message"] as? String == "query" && $0["qname"] as? String == "service-clusterip.dev.svc.cluster.local." })
        #expect(objects.contains { $0["message"] as? String == "query" && ($0["client"] as? String)?.hasPrefix("127.0.0.1:") == true })
        #expect(objects.contains { ($0["message"] as? String)?.hasPrefix("listening on udp+tcp") == true })
    }

    @Test func versionAndServeHelpDocumentEveryFlagWithItsDefault() throws {
        let version = try CommandRunner.clusterdns(["--version"])
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        let help = try CommandRunner.clusterdns(["serve", "--help"]).stdout
        for flag in [
            "--listen", "--upstream", "--resolv-conf", "--http", "--lameduck", "--log-level", "--log-format", "--query-log",
            "--domain", "--ttl", "--service-cidr", "--pod-cidr", "--cache-size", "--cache-max-ttl", "--transfer-allow",
            "--cache-bytes", "--cache-max-answer-bytes", "--max-concurrent-forwards",
            "--tcp-max-in-flight", "--response-rate-limit", "--http-idle-timeout", "--http-max-connections",
        ] {
            #expect(help.contains(flag), "\(flag) undocumented")
        }
        #expect(help.contains("(default: :9153)"))
        #expect(help.contains("(default: 5.0)"))
        #expect(help.contains("(default: cluster.local)"))
    }

    @Test func serveHelpGroupsFlagsByWhatTheyConfigure() throws {
        let help = try CommandRunner.clusterdns(["serve", "--help"]).stdout
        /// The flags listed between a section title and the next blank line.
        func section(_ title: String) -> String {
            guard let start = help.range(of: "\n\(title):\n") else { return "" }
            let rest = help[start.upperBound...]
            return String(rest[..<(rest.range(of: "\n\n")?.lowerBound ?? rest.endIndex)])
        }
        for flag in ["--log-level", "--log-format", "--query-log"] {
            #expect(section("LOGGING").contains(flag), "\(flag) is not under LOGGING")
        }
        for flag in ["--debounce ", "--debounce-max", "--rescan-interval"] {
            #expect(section("RELOAD").contains(flag), "\(flag) is not under RELOAD")
        }
        for flag in ["--listen", "--transfer-allow", "--tcp-idle-timeout", "--udp-workers"] {
            #expect(section("LISTENERS").contains(flag), "\(flag) is not under LISTENERS")
        }
        #expect(!section("LISTENERS").contains("--log-level"))
    }

    @Test func kubernetesDeploymentFilesPassCheck() throws {
        let output = try CommandRunner.clusterdns(["check", "deploy/kubernetes"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("1 Deployment"))
        let dump = try CommandRunner.clusterdns(["dump", "deploy/kubernetes", "--zone", "cluster.local"])
        #expect(dump.stdout.contains("kube-dns.kube-system.svc.cluster.local.\t5\tIN\tA\t10.96.0.10"))
    }

    /// The API-server variant: `--in-cluster`, with RBAC for list and watch on the four
    /// resources it reads and nothing else.
    @Test func inClusterDeploymentFilesPassCheckAndAskOnlyForListAndWatch() throws {
        let output = try CommandRunner.clusterdns(["check", "deploy/kubernetes-in-cluster"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("1 Deployment"))
        let directory = CommandRunner.packageRoot.appendingPathComponent("deploy/kubernetes-in-cluster")
        let deployment = try String(contentsOf: directory.appendingPathComponent("deployment.yaml"), encoding: .utf8)
        #expect(deployment.contains("- --in-cluster"))
        #expect(!deployment.contains("--manifests"))
        let rbac = try String(contentsOf: directory.appendingPathComponent("rbac.yaml"), encoding: .utf8)
        let rules = rbac.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(rules.filter { $0.hasPrefix("verbs:") } == ["verbs: [list, watch]", "verbs: [list, watch]"])
        #expect(rules.contains("resources: [namespaces, services, pods]"))
        #expect(rules.contains("resources: [endpointslices]"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "systemd-analyze is not installed"))
    func systemdUnitVerifies() throws {
        let unit = CommandRunner.packageRoot.appendingPathComponent("deploy/systemd/clusterdns.service").path
        let output = try CommandRunner.run("/usr/bin/systemd-analyze", ["verify", unit])
        #expect(!output.stderr.contains("Unknown"), "\(output.stderr)")
    }
}
