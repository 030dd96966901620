import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `Tests/FakeAPIServer/fake_apiserver.py` on a loopback port: the test double of the Kubernetes
/// API server (TLS with its own CA, list, watch, bookmarks, paging, 410, 401), with its control
/// port for changing the cluster and misbehaving on purpose. Stopped by PID.
final class FakeAPIServer {
    let process: Process
    let port: Int
    let controlPort: Int
    /// Where it wrote ca.crt, token and the kubeconfig variants.
    let directory: URL
    private let output: URL

    struct StartFailure: Error, CustomStringConvertible { var description: String }

    /// The real payloads the API samples hold, as seed files: kube-dns (01), a GKE namespace with
    /// headless and LoadBalancer services (02), kind's EndpointSlices (04), a k3s pod (08).
    static var sampleSeeds: [String] {
        let bundled = CommandRunner.packageRoot.appendingPathComponent("Tests/FakeAPIServer/samples")
        return [
            "01-servicelist-kube-dns.json", "02-servicelist-with-headless.json", "04-endpointslicelist-kind.json",
            "08-pod-running-k3s-hostname-subdomain.json",
        ].map { bundled.appendingPathComponent($0).path }
    }

    init(seeds: [String] = FakeAPIServer.sampleSeeds, port: Int = 0, extra: [String] = []) throws {
        let directory = try CommandRunner.temporaryDirectory()
        let output = directory.appendingPathComponent("server.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments =
            [
                CommandRunner.packageRoot.appendingPathComponent("Tests/FakeAPIServer/fake_apiserver.py").path,
                "--dir", directory.path, "--port", "\(port)",
            ] + seeds.flatMap { ["--seed", $0] } + extra
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: output)
        try process.run()
        self.process = process
        self.output = output
        self.directory = directory
        var ports: (Int, Int)?
        let deadline = Date().addingTimeInterval(30)
        while ports == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("port ") }) {
                let words = line.split(separator: " ")
                if words.count == 4, let api = Int(words[1]), let control = Int(words[3]) { ports = (api, control) }
            } else {
                usleep(20_000)
            }
        }
        guard let ports else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw StartFailure(description: "fake API server did not start: \(text)")
        }
        (self.port, self.controlPort) = ports
    }

    func path(_ name: String) -> String { self.directory.appendingPathComponent(name).path }

    /// A control call; the reply's JSON body.
    @discardableResult
    func control(_ path: String, _ body: [String: Any] = [:]) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body)
        guard
            let reply = HTTPClient.request(
                "POST", port: self.controlPort, path: path, body: String(decoding: data, as: UTF8.self)),
            reply.status == 200
        else { throw StartFailure(description: "control \(path) failed") }
        return (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]) ?? [:]
    }

    func apply(_ resource: String, _ object: [String: Any]) throws {
        try self.control("/apply", ["resource": resource, "object": object])
    }

    func delete(_ resource: String, namespace: String, name: String) throws {
        try self.control("/delete", ["resource": resource, "namespace": namespace, "name": name])
    }

    struct Stats {
        var lists: [String: Int]
        var watches: [String: Int]
        var unauthorized: Int
    }

    func stats() throws -> Stats {
        guard let reply = HTTPClient.request(port: self.controlPort, path: "/stats"),
            let json = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
        else { throw StartFailure(description: "stats failed") }
        return Stats(
            lists: json["list"] as? [String: Int] ?? [:], watches: json["watch"] as? [String: Int] ?? [:],
            unauthorized: json["unauthorized"] as? Int ?? 0)
    }

    func stop() {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: self.directory)
    }

    deinit { self.stop() }

    /// A ClusterIP Service object as the API server stores it.
    static func service(_ name: String, namespace: String = "default", clusterIP: String, port: Int = 80) -> [String: Any] {
        [
            "metadata": ["name": name, "namespace": namespace],
            "spec": [
                "type": "ClusterIP", "clusterIP": clusterIP, "clusterIPs": [clusterIP], "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack", "ports": [["name": "http", "port": port, "protocol": "TCP"]],
            ],
        ]
    }
}
