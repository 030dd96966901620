import ClusterModel
import DNSWire
import Foundation
import LDNSTestSupport
import Manifests
import QueryEngine
import Testing
import ZoneCompiler
import ZoneFiles

/// Zone files served beside the cluster: answered authoritatively from the compiled table, with
/// the file's SOA in negative answers, and CNAMEs followed across into the cluster zone.
@Suite("Zone files' zones in the answer table")
struct FileZoneTests {
    static let internalZone = """
        $TTL 300
        @    IN SOA ns1 hostmaster ( 42 3600 600 86400 60 )
             IN NS  ns1
        ns1  IN A   10.0.0.53
        db   IN A   10.0.0.10
             IN AAAA fd00::10
        www  IN CNAME db
        web  IN CNAME web.dev.svc.cluster.local.
        mail IN MX  10 db
        a.b.deep IN A 10.0.0.11
        caa  IN CAA 0 issue "ca.example"
        *.apps IN A 10.0.0.20
        *.apps IN MX 10 db
        exists.apps IN TXT "here"
        alias IN CNAME web.apps

        """

    static let vanity = """
        $ORIGIN cluster.local.
        $TTL 30
        @           SOA ns hostmaster 1 2 3 4 5
        db          CNAME web.dev.svc.cluster.local.
        dns-version TXT "mine"
        x.dev.svc   A 192.0.2.1

        """

    static func zoneFiles(_ files: [(String, String)]) -> [(path: String, content: ZoneFileContent)] {
        files.compactMap { path, text in
            let file = Array(text.utf8).withUnsafeBytes { ZoneFileParser.read($0, path: path) }
            #expect(!file.failedToParse, "\(file.diagnostics)")
            return file.zone.map { (path, $0) }
        }
    }

    static let cluster: Cluster = {
        var services = referenceCluster.services
        services.append(ClusterService(namespace: "dev", name: "to-file", type: .externalName, externalName: "db.internal"))
        return Cluster(namespaces: referenceCluster.namespaces, services: services, pods: referenceCluster.pods)
    }()

    static let snapshot = RecordSnapshot.build(
        cluster, options: referenceOptions,
        zoneFiles: zoneFiles([("z/internal.zone", internalZone), ("z/vanity.zone", vanity)]))

    static func ask(_ qname: String, _ type: RRType, in snapshot: RecordSnapshot = Self.snapshot) -> LDNSDecodedMessage? {
        QueryEngineTests.ask(qname, type, snapshot: snapshot)
    }

    @Test(
        arguments: [
            ("db.internal.", RRType.a, 0, ["db.internal. 300 A 10.0.0.10"], [String](), [String]()),
            ("www.internal.", .a, 0, ["www.internal. 300 CNAME db.internal.", "db.internal. 300 A 10.0.0.10"], [], []),
            (
                "mail.internal.", .mx, 0, ["mail.internal. 300 MX 10 db.internal."], [],
                ["db.internal. 300 A 10.0.0.10", "db.internal. 300 AAAA fd00::10"]
            ),
            ("internal.", .ns, 0, ["internal. 300 NS ns1.internal."], [], ["ns1.internal. 300 A 10.0.0.53"]),
            // RFC 2308 §3: the SOA's TTL in a negative answer is the smaller of its TTL and MINIMUM.
            ("nope.internal.", .a, 3, [], ["internal. 60 SOA ns1.internal. hostmaster.internal. 42 3600 600 86400 60"], []),
            ("db.internal.", .txt, 0, [], ["internal. 60 SOA ns1.internal. hostmaster.internal. 42 3600 600 86400 60"], []),
            // An empty non-terminal exists (RFC 8020): NODATA, not NXDOMAIN.
            ("deep.internal.", .a, 0, [], ["internal. 60 SOA ns1.internal. hostmaster.internal. 42 3600 600 86400 60"], []),
            (
                "web.internal.", .a, 0, ["web.internal. 300 CNAME web.dev.svc.cluster.local.", "web.dev.svc.cluster.local. 5 A 10.96.0.5"],
                [], []
            ),
            ("caa.internal.", RRType(rawValue: 257), 0, ["caa.internal. 300 CAA 0 issue \"ca.example\""], [], []),
            // RFC 4592: a name the zone does not hold, below an existing name with a wildcard child,
            // gets the wildcard's records owned by the name asked (at any depth below it).
            ("web.apps.internal.", .a, 0, ["web.apps.internal. 300 A 10.0.0.20"], [], []),
            ("a.very.long.name.below.apps.internal.", .a, 0, ["a.very.long.name.below.apps.internal. 300 A 10.0.0.20"], [], []),
            (
                "x.apps.internal.", .mx, 0, ["x.apps.internal. 300 MX 10 db.internal."], [],
                ["db.internal. 300 A 10.0.0.10", "db.internal. 300 AAAA fd00::10"]
            ),
            ("web.apps.internal.", .txt, 0, [], ["internal. 60 SOA ns1.internal. hostmaster.internal. 42 3600 600 86400 60"], []),
            // A name that exists is not covered (§2.2.1), nor is what lies below it (§3.3.1).
            ("exists.apps.internal.", .a, 0, [], ["internal. 60 SOA ns1.internal. hostmaster.internal. 42 3600 600 86400 60"], []),
            ("below.exists.apps.internal.", .a, 3, [], ["internal. 60 SOA ns1.internal. hostmaster.internal. 42 3600 600 86400 60"], []),
            ("*.apps.internal.", .a, 0, ["*.apps.internal. 300 A 10.0.0.20"], [], []),
            // A chain into a name only the wildcard gives is followed too.
            ("alias.internal.", .a, 0, ["alias.internal. 300 CNAME web.apps.internal.", "web.apps.internal. 300 A 10.0.0.20"], [], []),
            // From the cluster into a zone file: the chain is followed inside the snapshot.
            (
                "to-file.dev.svc.cluster.local.", .a, 0,
                ["to-file.dev.svc.cluster.local. 5 CNAME db.internal.", "db.internal. 300 A 10.0.0.10"], [], []
            ),
            // A vanity name in the cluster zone, outside the generated subtrees.
            (
                "db.cluster.local.", .a, 0, ["db.cluster.local. 30 CNAME web.dev.svc.cluster.local.", "web.dev.svc.cluster.local. 5 A 10.96.0.5"],
                [], []
            ),
        ])
    func answers(qname: String, type: RRType, rcode: Int, answer: [String], authority: [String], additional: [String]) {
        let reply = Self.ask(qname, type)
        #expect(reply?.rcode == rcode)
        #expect(reply?.aa == true)
        #expect(reply?.answer.map(Self.withoutClass) == answer)
        #expect(reply?.authority.map(Self.withoutClass) == authority)
        #expect(reply?.additional.map(Self.withoutClass).filter { !$0.contains("OPT") } == additional)
    }

    /// ldns prints `owner ttl IN type data`; the class is always IN here.
    static func withoutClass(_ line: String) -> String { line.replacingOccurrences(of: " IN ", with: " ") }

    @Test func generatedNamesWinOverTheFileAndSayWhy() {
        let reply = Self.ask("dns-version.cluster.local.", .txt)
        #expect(reply?.answer.count == 1)
        #expect(reply?.answer.first?.contains("\"mine\"") == false)
        #expect(Self.ask("x.dev.svc.cluster.local.", .a)?.rcode == 3)
        #expect(Self.snapshot.problems.contains { $0.hasPrefix("z/vanity.zone:5: dns-version.cluster.local. TXT left out") })
        #expect(Self.snapshot.problems.contains { $0.hasPrefix("z/vanity.zone:6: x.dev.svc.cluster.local. A left out") })
    }

    @Test func dumpAndTransfersReadTheZoneBackWithItsOwnSOA() throws {
        let zone = try #require(Self.snapshot.zones.first { $0.apex == name("internal.") })
        let sorted = zone.sortedRecords.map(\.description)
        #expect(sorted.first == "internal.\t300\tIN\tSOA\tns1.internal. hostmaster.internal. 42 3600 600 86400 60")
        #expect(sorted.count == 14)
        #expect(Self.snapshot.zones.first?.records.contains { $0.owner == name("db.cluster.local.") } == true)
    }

    @Test func zoneFilesComeGoAndStayAcrossIncrementalBuilds() {
        var builder = SnapshotBuilder(options: referenceOptions)
        let files = Self.zoneFiles([("z/internal.zone", Self.internalZone)])
        var snapshot = builder.build(Self.cluster, serial: 1, zoneFiles: files)
        #expect(Self.ask("db.internal.", .a, in: snapshot)?.answer.count == 1)
        // A build that does not name the zone files keeps them.
        snapshot = builder.build(Cluster(namespaces: ["dev"]), serial: 2)
        #expect(Self.ask("db.internal.", .a, in: snapshot)?.answer.count == 1)
        #expect(Self.ask("web.internal.", .a, in: snapshot)?.rcode == 3, "the chain's target went with the cluster")
        // The file changed: the new data, and the zone keeps its number.
        let changed = Self.zoneFiles([("z/internal.zone", Self.internalZone.replacingOccurrences(of: "10.0.0.10", with: "10.0.0.99"))])
        snapshot = builder.build(Self.cluster, serial: 3, zoneFiles: changed)
        #expect(Self.ask("db.internal.", .a, in: snapshot)?.answer.map(Self.withoutClass) == ["db.internal. 300 A 10.0.0.99"])
        // The file went: its names are no longer ours.
        snapshot = builder.build(Self.cluster, serial: 4, zoneFiles: [])
        let query = QueryBuilder.query(name("db.internal."), .a)
        guard case .outOfZone = QueryResponder.reply(to: query, over: .udp, using: snapshot)?.outcome.action else {
            Issue.record("db.internal. is still answered after its file went")
            return
        }
        #expect(!snapshot.zones.contains { $0.apex == name("internal.") })
    }

    @Test func aFileZoneInsideAGeneratedZoneOrTakenTwiceIsLeftOut() {
        let reverse = "$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns.example.\n1 PTR x.example.\n"
        let snapshot = RecordSnapshot.build(
            Self.cluster, options: referenceOptions,
            zoneFiles: Self.zoneFiles([
                ("z/a.zone", "$ORIGIN 0.96.10.in-addr.arpa.\n" + reverse), ("z/internal.zone", Self.internalZone),
                ("z/other.zone", "$ORIGIN internal.\n" + reverse),
            ]))
        #expect(snapshot.problems.contains { $0.hasPrefix("z/a.zone:3: the zone 0.96.10.in-addr.arpa. is left out") })
        #expect(snapshot.problems.contains { $0.hasPrefix("z/other.zone:3: the zone internal. is left out: z/internal.zone serves it") })
        #expect(Self.ask("db.internal.", .a, in: snapshot)?.answer.count == 1)
    }
}
