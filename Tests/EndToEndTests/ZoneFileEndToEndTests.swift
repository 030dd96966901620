import Foundation
import Testing

/// `.zone` files in the manifest directory: served authoritatively, watched like manifests,
/// transferred, and validated by `check` with file and line.
@Suite("Zone files beside the manifests", .serialized)
struct ZoneFileEndToEndTests {
    static let zone = """
        $TTL 300
        @    IN SOA ns1 hostmaster ( 7 3600 600 86400 60 )
             IN NS  ns1
        ns1  IN A   10.0.0.53
        db   IN A   10.0.0.10
        www  IN CNAME db
        app  IN CNAME service-clusterip.dev.svc.cluster.local.
        *.apps IN A 10.0.0.20

        """

    @Test func aZoneFileIsServedTransferredWatchedAndKeptThroughABadEdit() throws {
        let directory = try WatchEndToEndTests.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("corp.internal.zone")
        try WatchEndToEndTests.write(Self.zone, to: file)
        let server = try ServerProcess(["--manifests", directory.path, "--transfer-allow", "127.0.0.0/8"])
        defer { server.stop() }

        let answer = try server.dig(["+norec", "db.corp.internal", "A"])
        #expect(answer.contains("status: NOERROR") && answer.contains("flags: qr aa;"), "\(answer)")
        #expect(try server.records("db.corp.internal", "A") == ["db.corp.internal. 300 IN A 10.0.0.10"])
        #expect(
            try server.records("app.corp.internal", "A") == [
                "app.corp.internal. 300 IN CNAME service-clusterip.dev.svc.cluster.local.",
                "service-clusterip.dev.svc.cluster.local. 5 IN A 10.97.97.97",
            ])
        // A wildcard answers any name below its parent that the zone does not hold (RFC 4592).
        #expect(try server.records("shop.apps.corp.internal", "A") == ["shop.apps.corp.internal. 300 IN A 10.0.0.20"])
        // NXDOMAIN with the file's SOA, its TTL the smaller of TTL and MINIMUM (RFC 2308 §3).
        let missing = try server.dig(["+norec", "nothing.corp.internal", "A"])
        #expect(missing.contains("status: NXDOMAIN") && missing.contains("flags: qr aa;"), "\(missing)")
        #expect(
            try server.records("nothing.corp.internal", "A", ["+authority"]) == [
                "corp.internal. 60 IN SOA ns1.corp.internal. hostmaster.corp.internal. 7 3600 600 86400 60"
            ])
        // AXFR: SOA first and last, every record between (RFC 5936 §2.2).
        let transfer = try server.dig(["+noall", "+answer", "corp.internal", "AXFR"])
        let lines = normalizedRecords(transfer)
        #expect(lines.filter { $0.contains(" SOA ") }.count == 2)
        #expect(lines.count == 8, "\(transfer)")

        // A change is served; a broken edit keeps the last good records, and says where.
        try WatchEndToEndTests.write(Self.zone.replacingOccurrences(of: "10.0.0.10", with: "10.0.0.11"), to: file)
        #expect(
            WatchEndToEndTests.eventually(["db.corp.internal. 300 IN A 10.0.0.11"]) {
                (try? server.records("db.corp.internal", "A")) ?? []
            } == ["db.corp.internal. 300 IN A 10.0.0.11"])
        try WatchEndToEndTests.write(
            Self.zone.replacingOccurrences(of: "10.0.0.10", with: "10.0.0.11") + "broken IN A 10.0.0.300\n", to: file)
        #expect(WatchEndToEndTests.eventually(true) { server.log.contains("corp.internal.zone:9: error: ") }, "\(server.log)")
        #expect(try server.records("db.corp.internal", "A") == ["db.corp.internal. 300 IN A 10.0.0.11"])
        #expect(try server.records("ns1.corp.internal", "A") == ["ns1.corp.internal. 300 IN A 10.0.0.53"])

        // The file goes: the zone is no longer ours (no upstream here: REFUSED).
        try FileManager.default.removeItem(at: file)
        #expect(
            WatchEndToEndTests.eventually(true) {
                ((try? server.dig(["+norec", "db.corp.internal", "A"])) ?? "").contains("status: REFUSED")
            })
        #expect(try server.records("service-clusterip.dev.svc.cluster.local", "A").count == 1)
    }

    @Test func checkNamesTheFileAndLineOfABrokenZoneAndExitsOne() throws {
        let directory = try WatchEndToEndTests.copyOfExample()
        defer { try? FileManager.default.removeItem(at: directory) }
        try WatchEndToEndTests.write("$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\n$INCLUDE more.zone\n", to: directory.appendingPathComponent("a.zone"))
        let broken = try CommandRunner.clusterdns(["check", directory.path])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("a.zone:4: error: $INCLUDE is not supported"), "\(broken.stderr)")

        try WatchEndToEndTests.write("$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n", to: directory.appendingPathComponent("a.zone"))
        // A record the cluster zone generates is a warning: the generated one is served.
        try WatchEndToEndTests.write(
            "$ORIGIN cluster.local.\n@ SOA ns h 1 2 3 4 5\ndns-version TXT \"x\"\n", to: directory.appendingPathComponent("b.zone"))
        let clean = try CommandRunner.clusterdns(["check", directory.path])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stderr.contains("b.zone:3: dns-version.cluster.local. TXT left out"), "\(clean.stderr)")
    }
}
