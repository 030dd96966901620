import Foundation
import Testing

/// `--autopath` with glibc's own resolver, as a pod uses it: in a private network and mount
/// namespace (unshare), the pod's address on the loopback as the source of its queries, the
/// kube-dns address for ClusterDNS, a pod-style resolv.conf (its namespace's search list,
/// ndots:5) bind-mounted over /etc/resolv.conf, and NSD as the upstream. The query log says how
/// many questions each client sent.
@Suite("Autopath with glibc's resolver in a pod-like namespace", .serialized)
struct AutopathEndToEndTests {
    /// A pod of `dev` (the example's), a pod of `prod`, a pod on its node's network (in `dev`),
    /// and an address that is no pod.
    static let podOfDev = "10.244.118.128"
    static let podOfProd = "10.244.200.7"
    static let hostNetworkPod = "10.0.0.5"
    static let stranger = "10.244.9.9"

    static let extraManifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: prod}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: worker, namespace: prod}
        status: {phase: Running, podIP: \(podOfProd), podIPs: [{ip: \(podOfProd)}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: node-agent, namespace: dev}
        spec: {hostNetwork: true}
        status: {phase: Running, podIP: \(hostNetworkPod), podIPs: [{ip: \(hostNetworkPod)}]}

        """

    static let upstreamZone = """
        example.test.\t300\tIN\tSOA\tns.example.test. admin.example.test. 1 3600 600 86400 60
        example.test.\t300\tIN\tNS\tns.example.test.
        ns.example.test.\t300\tIN\tA\t127.0.0.1
        www.example.test.\t120\tIN\tA\t192.0.2.80
        www.example.test.\t120\tIN\tAAAA\t2001:db8::80

        """

    /// Runs ClusterDNS (with `flags`) and NSD in a fresh namespace; for each client address,
    /// `getent ahostsv4` and `ahostsv6` of www.example.test and a dig of the first expansion.
    /// Returns the log and what each command printed, by client.
    static func run(flags: [String]) throws -> (log: String, output: [String: String]) {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifests = directory.appendingPathComponent("manifests")
        try FileManager.default.copyItem(at: CommandRunner.packageRoot.appendingPathComponent("zones"), to: manifests)
        try Self.extraManifests.write(to: manifests.appendingPathComponent("extra.yaml"), atomically: true, encoding: .utf8)
        let path = directory.path
        try "nameserver 10.96.0.10\nsearch dev.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 attempts:1 timeout:2\n"
            .write(toFile: "\(path)/resolv.conf", atomically: true, encoding: .utf8)
        try Self.upstreamZone.write(toFile: "\(path)/example.test.zone", atomically: true, encoding: .utf8)
        try NSDServer.configuration(zones: ["example.test"], directory: path, port: 5300)
            .write(toFile: "\(path)/nsd.conf", atomically: true, encoding: .utf8)
        let clients = [Self.podOfDev, Self.podOfProd, Self.hostNetworkPod, Self.stranger]
        let script = """
            set -e
            ip link set lo up
            for address in 10.96.0.10 \(clients.joined(separator: " ")); do ip addr add $address/32 dev lo; done
            # An IPv6 address that is not loopback, or glibc's AI_ADDRCONFIG asks for no AAAA at all.
            ip -6 addr add fd00:10:244::118/128 dev lo nodad
            mount --bind \(path)/resolv.conf /etc/resolv.conf
            /usr/sbin/nsd -d -c \(path)/nsd.conf & NSD=$!
            \(CommandRunner.binary) serve --manifests \(manifests.path) --listen 10.96.0.10:53 --upstream 127.0.0.1:5300 \\
                --http none --query-log \(flags.joined(separator: " ")) > \(path)/serve.log 2>&1 & SERVER=$!
            trap 'kill $SERVER $NSD 2>/dev/null; wait 2>/dev/null' EXIT
            for i in $(seq 1 200); do grep -q "listening on" \(path)/serve.log && break; sleep 0.05; done
            for i in $(seq 1 200); do dig +short +time=1 +tries=1 @127.0.0.1 -p 5300 www.example.test >/dev/null && break; sleep 0.05; done
            for client in \(clients.joined(separator: " ")); do
              ip route replace local 10.96.0.10 dev lo table local src $client
              getent ahostsv4 www.example.test > \(path)/v4-$client.out || true
              dig +short +time=2 +tries=1 @10.96.0.10 mark-v4.invalid > /dev/null || true
              getent ahostsv6 www.example.test > \(path)/v6-$client.out || true
              dig +short +time=2 +tries=1 @10.96.0.10 mark-v6.invalid > /dev/null || true
              dig +time=2 +tries=1 @10.96.0.10 www.example.test.dev.svc.cluster.local A > \(path)/dig-$client.out || true
            done
            """
        let result = try CommandRunner.run("/usr/bin/unshare", ["-n", "-m", "/bin/sh", "-c", script], timeout: 120)
        var output: [String: String] = [:]
        for client in clients {
            for kind in ["v4", "v6", "dig"] {
                output["\(kind)-\(client)"] = (try? String(contentsOfFile: "\(path)/\(kind)-\(client).out", encoding: .utf8)) ?? ""
            }
        }
        let log = (try? String(contentsOfFile: "\(path)/serve.log", encoding: .utf8)) ?? ""
        #expect(result.status == 0, "\(result.stderr)")
        return (log, output)
    }

    /// Query-log lines of type `qtype` from `client` for www.example.test and its expansions,
    /// asked by `getent ahostsv4` (`step` "v4") or `getent ahostsv6` ("v6"): the script asks for
    /// `mark-v4.invalid` after the first and `mark-v6.invalid` after the second.
    static func questions(_ log: String, from client: String, _ qtype: String, step: String) -> [String] {
        var current = "v4"
        var result: [String] = []
        for line in log.split(separator: "\n") where line.contains("client=\(client):") {
            if line.contains("qname=mark-v4.invalid.") {
                current = "v6"
            } else if line.contains("qname=mark-v6.invalid.") {
                current = "dig"
            } else if current == step, line.contains("qtype=\(qtype) "), line.contains("qname=www.example.test.") {
                result.append(String(line))
            }
        }
        return result
    }

    @Test func aPodsSearchIsOneQuestionPerFamilyWithAutopath() throws {
        let (log, output) = try Self.run(flags: ["--autopath"])
        // The pod of dev: one question per family, answered with the CNAME and the address.
        // getent ahostsv4: one question; getent ahostsv6: one per family (AAAA, and A for the
        // IPv4-mapped fallback), where the plain search takes four per family.
        #expect(Self.questions(log, from: Self.podOfDev, "A", step: "v4").count == 1, "\(Self.questions(log, from: Self.podOfDev, "A", step: "v4"))")
        #expect(Self.questions(log, from: Self.podOfDev, "AAAA", step: "v6").count == 1)
        #expect(Self.questions(log, from: Self.podOfDev, "A", step: "v6").count <= 1)
        #expect(output["v4-\(Self.podOfDev)"]?.hasPrefix("192.0.2.80") == true, "\(output["v4-\(Self.podOfDev)"] ?? "")")
        #expect(output["v6-\(Self.podOfDev)"]?.hasPrefix("2001:db8::80") == true, "\(output["v6-\(Self.podOfDev)"] ?? "")")
        let dig = normalizedRecords(output["dig-\(Self.podOfDev)"] ?? "").filter { $0.contains(" IN ") }
        #expect(
            dig.contains("www.example.test.dev.svc.cluster.local. 5 IN CNAME www.example.test."), "\(dig)")
        #expect(dig.contains { $0.hasPrefix("www.example.test. ") && $0.hasSuffix(" IN A 192.0.2.80") }, "\(dig)")
        #expect(log.contains("autopath=true"))
        // Not a pod, a pod of another namespace, a pod on its node's network: the plain search.
        for client in [Self.stranger, Self.podOfProd, Self.hostNetworkPod] {
            #expect(
                Self.questions(log, from: client, "A", step: "v4").count >= 4,
                "\(client): \(Self.questions(log, from: client, "A", step: "v4"))")
            #expect(Self.questions(log, from: client, "AAAA", step: "v6").count >= 4)
            #expect(output["v4-\(client)"]?.hasPrefix("192.0.2.80") == true)
            #expect(output["dig-\(client)"]?.contains("status: NXDOMAIN") == true)
        }
    }

    @Test func withoutTheFlagAPodAsksFourTimes() throws {
        let (log, output) = try Self.run(flags: [])
        // Three expansions, then the name itself.
        #expect(Self.questions(log, from: Self.podOfDev, "A", step: "v4").count >= 4)
        #expect(output["v4-\(Self.podOfDev)"]?.hasPrefix("192.0.2.80") == true)
        #expect(output["dig-\(Self.podOfDev)"]?.contains("status: NXDOMAIN") == true)
        #expect(!log.contains("autopath=true"))
    }

    @Test func autopathNeedsVerifiedPodRecords() throws {
        for mode in ["insecure", "disabled"] {
            let refused = try CommandRunner.clusterdns(["serve", "--manifests", "zones", "--autopath", "--pods", mode])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("--autopath needs --pods verified"))
        }
    }
}
