import Foundation
import Testing

/// Dumps of real distributions' clusters (`Tests/Scenarios/<distribution>`, written from each
/// distribution's documented defaults): default flags serve everything the API server accepted;
/// the distribution's own ranges given as flags are just as clean; ranges that do not cover the
/// addresses give today's errors, each naming file, line and field.
@Suite("Real clusters' manifests: any address layout, any family, default flags")
struct RealClusterTests {
    struct Distribution: Sendable, CustomTestStringConvertible {
        var scenario: String
        /// The distribution's own service and pod ranges.
        var ranges: [String]
        var testDescription: String { self.scenario }
    }

    static let distributions = [
        Distribution(scenario: "eks-vpc-cni", ranges: ["--service-cidr", "10.100.0.0/16", "--pod-cidr", "192.168.0.0/16"]),
        Distribution(scenario: "aks-azure-cni", ranges: ["--service-cidr", "10.0.0.0/16", "--pod-cidr", "10.224.0.0/12"]),
        Distribution(scenario: "gke", ranges: ["--service-cidr", "34.118.224.0/20", "--pod-cidr", "10.8.0.0/14"]),
        Distribution(
            scenario: "kind-dual-stack",
            ranges: ["--service-cidr", "10.96.0.0/16,fd00:10:96::/112", "--pod-cidr", "10.244.0.0/16,fd00:10:244::/56"]),
        Distribution(scenario: "k3s", ranges: ["--service-cidr", "10.43.0.0/16", "--pod-cidr", "10.42.0.0/16"]),
        Distribution(scenario: "kind-ipv6-only", ranges: ["--service-cidr", "fd00:10:96::/112", "--pod-cidr", "fd00:10:244::/56"]),
        Distribution(scenario: "odd-names", ranges: ["--service-cidr", "10.96.0.0/12", "--pod-cidr", "10.244.0.0/16"]),
    ]

    static func manifests(_ scenario: String) -> String {
        CommandRunner.packageRoot.appendingPathComponent("Tests/Scenarios/\(scenario)/manifests").path
    }

    @Test(arguments: Self.distributions)
    func defaultFlagsAcceptEverythingAndSayWhichPolicyApplied(_ distribution: Distribution) throws {
        let output = try CommandRunner.clusterdns(["check", Self.manifests(distribution.scenario)])
        #expect(output.status == 0)
        #expect(output.stderr == "")
        #expect(output.stdout.contains("addresses: services as written, missing ones allocated from 10.96.0.0/12, fd00:10:96::/112"))
        #expect(output.stdout.hasSuffix("0 errors, 0 warnings\n"))
    }

    @Test(arguments: Self.distributions)
    func theDistributionsOwnRangesAreClean(_ distribution: Distribution) throws {
        let output = try CommandRunner.clusterdns(["check", Self.manifests(distribution.scenario)] + distribution.ranges)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr == "")
        #expect(output.stdout.contains("services checked against --service-cidr"))
    }

    /// Ranges that hold none of the scenario's addresses: every Service with an explicit cluster
    /// IP and every pod (host-network ones aside) is an error naming file, line and field.
    @Test(arguments: Self.distributions)
    func rangesThatDoNotCoverTheAddressesAreErrorsWithFileAndLine(_ distribution: Distribution) throws {
        let directory = Self.manifests(distribution.scenario)
        let output = try CommandRunner.clusterdns([
            "check", directory, "--service-cidr", "10.255.0.0/16", "--pod-cidr", "10.254.0.0/16",
        ])
        #expect(output.status == 1)
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count >= 5)
        let pattern = #/^.+\.yaml:\d+:\d+: error: (Service \S+: spec\.(clusterIP \S+ (is not in the service CIDR 10\.255\.0\.0/16|is IPv6, and the cluster has no IPv6 service CIDR)|ipFamilies asks for IPv6, and the cluster has no IPv6 service CIDR)|Pod \S+: status\.podIPs holds \S+, (which is not in the pod CIDR 10\.254\.0\.0/16.*|and the cluster has no IPv6 pod CIDR))$/#
        for line in lines {
            #expect(line.hasPrefix(directory + "/"), "\(line)")
            #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
        }
        #expect(lines.contains { $0.contains(": error: Service ") })
        #expect(lines.contains { $0.contains(": error: Pod ") })
    }

    /// `serve` with default flags answers the names real clusters have, PTR queries for
    /// addresses outside every default range included (their /24 or /64 is a zone of its own).
    @Test func eksVPCAddressesAnswerForwardAndReverseWithDefaultFlags() throws {
        let server = try ServerProcess(["--manifests", Self.manifests("eks-vpc-cni")])
        defer { server.stop() }
        let kubeDNS = try server.dig(["+short", "kube-dns.kube-system.svc.cluster.local", "A"])
        #expect(kubeDNS == "10.100.0.10\n")
        let reverse = try server.dig(["-x", "10.100.0.10"])
        #expect(reverse.contains("status: NOERROR"))
        #expect(reverse.contains("\tPTR\tkube-dns.kube-system.svc.cluster.local."))
        #expect(reverse.contains(" aa "))
        // A VPC pod address: its /24 is a zone; a neighbour without a pod is NXDOMAIN with that SOA.
        let pod = try server.dig(["+short", "-x", "192.168.12.37"])
        #expect(!pod.isEmpty)
        let missing = try server.dig(["-x", "192.168.12.254"])
        #expect(missing.contains("status: NXDOMAIN"))
        #expect(missing.contains(#/\n12\.168\.192\.in-addr\.arpa\.\s+5\s+IN\s+SOA\s/#))
        // A /24 holding no address is no zone of ours.
        let elsewhere = try server.dig(["-x", "192.168.13.1", "+norecurse"])
        #expect(elsewhere.contains("status: REFUSED"))
    }

    @Test func dualStackAndIPv6OnlyServeBothFamilies() throws {
        let dual = try ServerProcess(["--manifests", Self.manifests("kind-dual-stack")])
        defer { dual.stop() }
        let a = try dual.dig(["+short", "checkout.shop.svc.cluster.local", "A"])
        let aaaa = try dual.dig(["+short", "checkout.shop.svc.cluster.local", "AAAA"])
        #expect(a.hasPrefix("10.96."))
        #expect(aaaa.hasPrefix("fd00:10:96::"))
        let v6 = try ServerProcess(["--manifests", Self.manifests("kind-ipv6-only")])
        defer { v6.stop() }
        #expect(try v6.dig(["+short", "kube-dns.kube-system.svc.cluster.local", "AAAA"]) == "fd00:10:96::a\n")
        let reverse = try v6.dig(["+short", "-x", "fd00:10:96::a"])
        #expect(reverse == "kube-dns.kube-system.svc.cluster.local.\n")
    }

    @Test func oddButValidNamesResolve() throws {
        let server = try ServerProcess(["--manifests", Self.manifests("odd-names")])
        defer { server.stop() }
        // Kubernetes e2e: "should work with a service name that starts with a digit".
        #expect(try server.dig(["+short", "1password-connect.tools.svc.cluster.local"]).hasPrefix("10."))
        // A selector-less headless RequireDualStack Service with a manual IPv4 slice.
        #expect(try server.dig(["+short", "external-db.tools.svc.cluster.local"]) == "192.168.56.20\n")
        #expect(try server.dig(["+short", "pg-primary.external-db.tools.svc.cluster.local"]) == "192.168.56.20\n")
    }

    /// Kubernetes documents it: an ExternalName that spells an IPv4 address is a CNAME to that
    /// name, which no resolver turns into the address. Served as such, with a warning from check.
    @Test func anExternalNameSpellingAnIPv4AddressIsACNAMEWithAWarning() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            apiVersion: v1
            kind: Service
            metadata: {name: legacy-db, namespace: dev}
            spec: {type: ExternalName, externalName: 10.1.2.3}
            """.write(to: directory.appendingPathComponent("legacy.yaml"), atomically: true, encoding: .utf8)
        let check = try CommandRunner.clusterdns(["check", directory.path])
        #expect(check.status == 0)
        #expect(check.stderr.contains("legacy.yaml:4:42: warning: Service dev/legacy-db: spec.externalName \"10.1.2.3\" is an IPv4 address"))
        #expect(check.stderr.contains("use a Service without a selector and an EndpointSlice"))
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        let records = try server.records("legacy-db.dev.svc.cluster.local", "CNAME")
        #expect(records == ["legacy-db.dev.svc.cluster.local. 5 IN CNAME 10.1.2.3."])
    }
}
