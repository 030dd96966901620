import Foundation
import Testing

/// `Tests/Scenarios/<name>/manifests` (+ `flags`) dumped must equal `expected.zone` byte for byte,
/// and every zone of it must load into three independent parsers: ldns-read-zone,
/// nsd-checkzone and kzonecheck. `make golden` rewrites the expected files.
@Suite("Golden dumps of the scenarios, checked by ldns, NSD and Knot")
struct GoldenDumpTests {
    static let scenariosDirectory = CommandRunner.packageRoot.appendingPathComponent("Tests/Scenarios")

    static var scenarios: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Self.scenariosDirectory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    static func dumpArguments(_ scenario: String, extra: [String] = []) -> [String] {
        let directory = Self.scenariosDirectory.appendingPathComponent(scenario)
        let flags = (try? String(contentsOf: directory.appendingPathComponent("flags"), encoding: .utf8)) ?? ""
        return ["dump", directory.appendingPathComponent("manifests").path, "--serial", "1"]
            + flags.split(whereSeparator: \.isWhitespace).map(String.init) + extra
    }

    @Test func everyScenarioOfTheIssueIsPresent() {
        let required = [
            "example", "dual-stack", "ipv6-only", "headless", "manual-endpoints", "external-name", "multi-port",
            "statefulset",
            // Dumps of real distributions' clusters, served with default flags.
            "eks-vpc-cni", "aks-azure-cni", "gke", "kind-dual-stack", "k3s", "kind-ipv6-only", "odd-names",
        ]
        #expect(Set(required).isSubset(of: Set(Self.scenarios)))
    }

    @Test(arguments: Self.scenarios)
    func dumpMatchesGoldenFile(scenario: String) throws {
        let output = try CommandRunner.clusterdns(Self.dumpArguments(scenario))
        #expect(output.status == 0)
        #expect(output.stderr == "", "a scenario must be free of diagnostics")
        let expectedURL = Self.scenariosDirectory.appendingPathComponent("\(scenario)/expected.zone")
        let expected = (try? String(contentsOf: expectedURL, encoding: .utf8)) ?? ""
        if output.stdout != expected {
            let actualURL = FileManager.default.temporaryDirectory.appendingPathComponent("\(scenario)-\(UUID()).zone")
            try output.stdout.write(to: actualURL, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: actualURL) }
            let diff = try CommandRunner.run("/usr/bin/diff", ["-u", expectedURL.path, actualURL.path])
            Issue.record("dump of \(scenario) differs from expected.zone (make golden rewrites it):\n\(diff.stdout)")
        }
        // The same manifests and flags give the same bytes.
        #expect(try CommandRunner.clusterdns(Self.dumpArguments(scenario)).stdout == output.stdout)
    }

    @Test(arguments: Self.scenarios)
    func everyZoneLoadsIntoLDNSAndNSDAndKnot(scenario: String) throws {
        let whole = try CommandRunner.clusterdns(Self.dumpArguments(scenario))
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let wholeFile = directory.appendingPathComponent("all.zone")
        try whole.stdout.write(to: wholeFile, atomically: true, encoding: .utf8)
        let ldns = try CommandRunner.run("/usr/bin/ldns-read-zone", [wholeFile.path])
        #expect(ldns.status == 0, "ldns-read-zone: \(ldns.stderr)")
        #expect(ldns.stdout.contains("\tSOA\t"), "ldns-read-zone read the zone back")

        let apexes = whole.stdout.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: "\t")
            return fields.count > 3 && fields[3] == "SOA" ? String(fields[0]) : nil
        }
        #expect(!apexes.isEmpty)
        for apex in apexes {
            let zone = try CommandRunner.clusterdns(Self.dumpArguments(scenario, extra: ["--zone", apex]))
            #expect(zone.status == 0)
            let file = directory.appendingPathComponent("\(apex)zone")
            try zone.stdout.write(to: file, atomically: true, encoding: .utf8)
            let nsd = try CommandRunner.run("/usr/sbin/nsd-checkzone", [apex, file.path])
            #expect(nsd.status == 0, "nsd-checkzone \(apex): \(nsd.stdout)\(nsd.stderr)")
            let knot = try CommandRunner.run("/usr/bin/kzonecheck", ["-o", apex, file.path])
            #expect(knot.status == 0, "kzonecheck \(apex): \(knot.stdout)\(knot.stderr)")
        }
    }
}
