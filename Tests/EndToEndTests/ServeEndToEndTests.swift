import Foundation
import Testing

/// The real binary, queried with dig and kdig over UDP and TCP.
@Suite("clusterdns serve, queried with dig", .serialized)
struct ServeEndToEndTests {
    /// Every RRset of the dump, asked of the server over UDP and TCP, must come back as dumped.
    @Test(arguments: ["example", "headless", "manual-endpoints", "external-name", "multi-port", "statefulset", "dual-stack", "ipv6-only", "zone-files", "external-zones"])
    func everyDumpedRRsetIsServed(scenario: String) throws {
        let arguments = GoldenDumpTests.dumpArguments(scenario)
        let dump = try CommandRunner.clusterdns(arguments)
        let serveArguments = Array(arguments.dropFirst().filter { $0 != "--serial" && $0 != "1" })
        let server = try ServerProcess(serveArguments)
        defer { server.stop() }
        var rrsets: [String: [String]] = [:]
        for line in normalizedRecords(dump.stdout) {
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[3] != "SOA" else { continue }
            rrsets["\(fields[0]) \(fields[3])", default: []].append(line)
        }
        #expect(!rrsets.isEmpty)
        for (index, key) in rrsets.keys.sorted().enumerated() {
            let parts = key.split(separator: " ").map(String.init)
            let expected = (rrsets[key] ?? []).sorted()
            // Over UDP for all; over TCP for every third, to keep the run short.
            #expect(try server.records(parts[0], parts[1]) == expected, "\(key) over UDP")
            if index % 3 == 0 {
                #expect(try server.records(parts[0], parts[1], ["+answer", "+tcp"]) == expected, "\(key) over TCP")
            }
        }
    }

    @Test func exampleClusterAnswersLikeTheReadme() throws {
        let server = try ServerProcess(["--manifests", "zones"])
        defer { server.stop() }
        #expect(try server.dig(["+short", "service-clusterip.dev.svc.cluster.local"]) == "10.97.97.97\n")
        #expect(try server.dig(["+short", "service-headliness.dev.svc.cluster.local"]).split(separator: "\n").count == 3)
        #expect(try server.dig(["+short", "service-external.dev.svc.cluster.local"]) == "www.baidu.com.\n")
        #expect(try server.dig(["+short", "-x", "10.97.97.97"]) == "service-clusterip.dev.svc.cluster.local.\n")
        #expect(try server.dig(["+short", "web-0.nginx.dev.svc.cluster.local"]).hasPrefix("10.244."))
        #expect(
            try server.dig(["+short", "SRV", "_web._tcp.nginx.dev.svc.cluster.local"]).split(separator: "\n").sorted() == [
                "0 50 80 web-0.nginx.dev.svc.cluster.local.", "0 50 80 web-1.nginx.dev.svc.cluster.local.",
            ])
        #expect(try server.dig(["+short", "TXT", "dns-version.cluster.local"]) == "\"1.1.0\"\n")
        // dig's defaults: EDNS with a cookie, RD set.
        let full = try server.dig(["service-clusterip.dev.svc.cluster.local"])
        #expect(full.contains("status: NOERROR"))
        #expect(full.contains("flags: qr aa rd;"))
        #expect(full.contains("udp: 1232"))
        let missing = try server.dig(["nothere.dev.svc.cluster.local"])
        #expect(missing.contains("status: NXDOMAIN"))
        #expect(missing.contains("AUTHORITY: 1"))
        let noData = try server.dig(["AAAA", "service-clusterip.dev.svc.cluster.local"])
        #expect(noData.contains("status: NOERROR") && noData.contains("ANSWER: 0") && noData.contains("AUTHORITY: 1"))
        let kdig = try server.kdig(["+tcp", "service-clusterip.dev.svc.cluster.local", "A"])
        #expect(kdig.contains("10.97.97.97"))
        // Forwarding off (--upstream none): out-of-zone names are refused, and RA is not set.
        let outside = try server.dig(["www.example.com"])
        #expect(outside.contains("status: REFUSED"))
        let flags = outside.split(separator: "\n").first { $0.hasPrefix(";; flags:") } ?? ""
        #expect(!flags.isEmpty && !flags.contains(" ra"), "\(flags)")
        #expect(server.stop() == 0)
    }

    @Test func truncatedUDPAnswerIsRetriedOverTCPByDig() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: big, namespace: dev}
            spec:
              replicas: 100
              selector: {matchLabels: {app: big}}
              template: {metadata: {labels: {app: big}}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: big, namespace: dev}
            spec: {clusterIP: None, selector: {app: big}}
            """.write(to: directory.appendingPathComponent("big.yaml"), atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--manifests", directory.path])
        defer { server.stop() }
        let ignored = try server.dig(["+ignore", "+noedns", "big.dev.svc.cluster.local"])
        #expect(ignored.contains(" tc"))
        let retried = try server.dig(["+noedns", "big.dev.svc.cluster.local"])
        #expect(retried.contains("Truncated, retrying in TCP mode"))
        #expect(retried.contains("ANSWER: 100"))
        #expect(try server.records("big.dev.svc.cluster.local", "A", ["+answer", "+tcp"]).count == 100)
    }

    /// Zone transfers are refused unless `--transfer-allow` names the client, loopback included,
    /// as NSD, Knot and CoreDNS refuse them unless configured: a transfer lists every name.
    @Test func zoneTransferIsRefusedUnlessAllowed() throws {
        let server = try ServerProcess(["--manifests", "zones"])
        defer { server.stop() }
        let refused = try server.dig(["cluster.local", "AXFR"])
        #expect(refused.contains("Transfer failed"))
        #expect(!refused.contains("\tSOA\t"))
        let other = try ServerProcess(["--manifests", "zones", "--transfer-allow", "10.0.0.0/8"])
        defer { other.stop() }
        #expect(try other.dig(["cluster.local", "AXFR"]).contains("Transfer failed"))
    }

    @Test func zoneTransferMatchesTheDump() throws {
        let server = try ServerProcess(["--manifests", "zones", "--transfer-allow", "127.0.0.1/32"])
        defer { server.stop() }
        let transferred = try normalizedRecords(server.dig(["cluster.local", "AXFR"]))
        let dumped = try normalizedRecords(CommandRunner.clusterdns(["dump", "zones", "--zone", "cluster.local"]).stdout)
        func withoutSerial(_ records: [String]) -> [String] {
            records.map { $0.contains(" SOA ") ? $0.split(separator: " ").prefix(6).joined(separator: " ") : $0 }
        }
        // AXFR repeats the SOA at the end.
        #expect(transferred.count == dumped.count + 1)
        #expect(Set(withoutSerial(transferred)) == Set(withoutSerial(dumped)))
        let reverse = try normalizedRecords(server.dig(["97.10.in-addr.arpa", "AXFR"]))
        #expect(reverse.contains { $0.contains("PTR service-clusterip.dev.svc.cluster.local.") })
    }

    @Test func portThatCannotBeBoundIsOneLineAndExitOne() throws {
        let server = try ServerProcess(["--manifests", "zones"])
        defer { server.stop() }
        let second = try CommandRunner.clusterdns(
            ["serve", "--manifests", "zones", "--listen", "127.0.0.1:\(server.port)", "--http", "none"], timeout: 30)
        #expect(second.status == 1)
        #expect(second.stderr.contains("error: cannot listen on tcp 127.0.0.1:\(server.port): the address is already in use"))
        #expect(!second.stderr.contains("Fatal"))
        let badFlag = try CommandRunner.clusterdns(["serve", "--listen", "localhost"])
        #expect(badFlag.status == 2)
        #expect(badFlag.stderr.contains("--listen must be ADDR:PORT"))
    }
}
