import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// NSD loaded with `clusterdns dump` must give the same answers as ClusterDNS for every name in
/// it (and for names that are not): the dump is exactly what is served.
@Suite("NSD serving the dump answers as ClusterDNS does", .serialized)
struct NSDEquivalenceTests {
    /// rcode, and the answer and SOA-authority records with the serial blanked.
    static func essence(_ digOutput: String) -> String {
        var status = "none"
        if let line = digOutput.split(separator: "\n").first(where: { $0.contains("status:") }),
            let range = line.range(of: "status: ")
        {
            status = String(line[range.upperBound...].prefix { $0 != "," })
        }
        var inAnswer = false
        var inAuthority = false
        var lines: [String] = []
        for line in digOutput.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(";; ANSWER SECTION") { inAnswer = true; continue }
            if line.hasPrefix(";; AUTHORITY SECTION") { inAuthority = true; inAnswer = false; continue }
            if line.hasPrefix(";;") || line.isEmpty { inAnswer = false; inAuthority = false; continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if inAnswer || (inAuthority && fields.count > 3 && fields[3] == "SOA") {
                var normalized = fields.map(String.init)
                if normalized.count > 6, normalized[3] == "SOA" { normalized[6] = "SERIAL" }
                lines.append(normalized.joined(separator: " "))
            }
        }
        return "\(status)\n" + lines.sorted().joined(separator: "\n")
    }

    @Test func nsdAndClusterDNSAgreeOnEveryNameOfTheExample() throws {
        let zone = try CommandRunner.clusterdns(["dump", "zones", "--zone", "cluster.local"])
        let nsd = try NSDServer(zones: ["cluster.local": zone.stdout])
        defer { nsd.stop() }
        func digNSD(_ arguments: [String]) throws -> String { try nsd.dig(arguments) }

        let server = try ServerProcess(["--manifests", "zones"])
        defer { server.stop() }

        var names = Set<String>()
        for line in normalizedRecords(zone.stdout) {
            var name = String(line.split(separator: " ")[0])
            // The owner and every ancestor down to the apex (empty non-terminals).
            while name.hasSuffix("cluster.local.") {
                names.insert(name)
                guard let dot = name.firstIndex(of: "."), name != "cluster.local." else { break }
                name = String(name[name.index(after: dot)...])
            }
        }
        for name in Array(names) { names.insert("nothere." + name) }
        #expect(names.count > 40)
        for name in names.sorted() {
            for type in ["A", "AAAA", "SRV", "TXT", "CNAME", "NS", "SOA"] {
                // A reply lost on a loaded machine (dig's one-second try) is asked again: a lost
                // datagram is not a disagreement.
                var oursOutput = try server.dig(["+norec", name, type])
                if Self.essence(oursOutput).hasPrefix("none") { oursOutput = try server.dig(["+norec", name, type]) }
                var theirsOutput = try digNSD([name, type])
                if Self.essence(theirsOutput).hasPrefix("none") { theirsOutput = try digNSD([name, type]) }
                // The whole replies go with a disagreement: a rare one is understood from them.
                #expect(
                    Self.essence(oursOutput) == Self.essence(theirsOutput),
                    "\(name) \(type)\nClusterDNS:\n\(oursOutput)\nNSD:\n\(theirsOutput)")
            }
        }
    }
}
