import DNSWire
import Manifests
import Testing
import ZoneFiles

@Suite("Zone files read with libldns")
struct ZoneFileParserTests {
    static func read(_ text: String, path: String = "zones/internal.zone") -> ManifestFile {
        Array(text.utf8).withUnsafeBytes { ZoneFileParser.read($0, path: path) }
    }

    static func owners(_ file: ManifestFile) -> [String] {
        (file.zone?.records ?? []).map { "\(DomainName(uncheckedWire: $0.owner)) \(RRType(rawValue: $0.type)) \($0.ttl) line \($0.line)" }
    }

    @Test func directivesRelativeNamesParenthesesAndCommentsWithTheLineEachRecordStartsOn() {
        let file = Self.read(
            """
            $TTL 300
            ; a comment

            @   IN SOA ns1 hostmaster ( 1 3600 600
                       86400 60 )   ; the SOA spans two lines
                IN NS ns1
            ns1 IN A 10.0.0.53
            $ORIGIN sub.internal.
            db 60 IN A 10.0.0.10
            www IN CNAME db

            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(!file.failedToParse)
        #expect(
            Self.owners(file) == [
                "internal. SOA 300 line 4", "internal. NS 300 line 6", "ns1.internal. A 300 line 7",
                "db.sub.internal. A 60 line 9", "www.sub.internal. CNAME 300 line 10",
            ])
        #expect(file.zone?.apex == DomainName("internal.")!.wire)
    }

    @Test func theOriginBeforeAnyDirectiveIsTheFileName() {
        let file = Self.read("@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n", path: "dir/example.test.zone")
        #expect(Self.owners(file) == ["example.test. SOA 3600 line 1", "example.test. NS 3600 line 2", "ns.example.test. A 3600 line 3"])
    }

    /// A zone whose name `x` has `count` generic types (RFC 3597), one record each, one per line
    /// after the SOA.
    static func typesAtOneName(_ count: Int) -> String {
        "$TTL 60\n@ SOA ns h 1 2 3 4 5\n" + (0..<count).map { "x TYPE\(1000 + $0) \\# 1 00\n" }.joined()
    }

    @Test func aNameMayHaveAsManyTypesAsTheLimit() {
        // A second record of a type `x` has is no new type; another name has its own count.
        let file = Self.read(Self.typesAtOneName(256) + "x TYPE1000 \\# 1 01\ny A 10.0.0.1\n")
        #expect(!file.failedToParse, "\(file.diagnostics)")
        #expect(file.zone?.records.count == 1 + 256 + 2)
    }

    @Test(
        arguments: [
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\n$INCLUDE other.zone\n", 3, "$INCLUDE is not supported"),
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\n\nbad A 10.0.0.300\n", 4, "could not parse the RR's rdata"),
            ("$TTL 60\nns A 10.0.0.1\n", 1, "no SOA record"),
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ SOA ns h 2 2 3 4 5\n", 3, "a second SOA record"),
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\nother.test. A 10.0.0.1\n", 3, "is outside the zone internal."),
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\n*.apps A 10.0.0.1\n*.apps NS ns.other.\n", 4, "NS at the wildcard *.apps.internal."),
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\nsub NS ns.other.\n", 3, "delegations are not served"),
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\nx CNAME y\nx A 10.0.0.1\n", 3, "has a CNAME and other data"),
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\nx CNAME y\nx CNAME z\n", 3, "has more than one CNAME"),
            ("$TTL 60\n@ CH SOA ns h 1 2 3 4 5\n", 2, "only class IN is served"),
            // RFC 3597's generic form lets any type be written with any data: it must still read back.
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS \\# 0\n", 3, "NS: the record has no data"),
            ("$TTL 60\n@ SOA ns h 1 2 3 4 5\nx MX \\# 0\n", 3, "MX: the record has no data"),
            // Each type of a name is one compiled answer: a name may have 256 types, not more.
            (Self.typesAtOneName(257), 2 + 257, "x.internal. has more than 256 record types"),
        ])
    func aFileThatCannotBeServedIsOneErrorWithItsLine(text: String, line: Int, message: String) {
        let file = Self.read(text)
        #expect(file.failedToParse)
        #expect(file.zone == nil)
        #expect(file.diagnostics.count == 1)
        let diagnostic = file.diagnostics.first
        #expect(diagnostic?.severity == .error)
        #expect(diagnostic?.location.line == line, "\(String(describing: diagnostic))")
        #expect(diagnostic?.message.contains(message) == true, "\(String(describing: diagnostic))")
        // FILE:LINE, as compilers and NSD print it.
        #expect(diagnostic?.description.hasPrefix("zones/internal.zone:\(line): error: ") == true)
    }

    @Test func duplicatesAreOneRecordAndAnRRsetHasOneTTL() {
        let file = Self.read("$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 10.0.0.1\nns A 10.0.0.1\nns 30 A 10.0.0.2\n")
        #expect(!file.failedToParse)
        // RFC 2181 §5: no duplicates; §5.2: one TTL per RRset, the smaller, with a warning.
        #expect(Self.owners(file).filter { $0.hasPrefix("ns.internal. A") } == ["ns.internal. A 30 line 4", "ns.internal. A 30 line 6"])
        #expect(file.diagnostics.map(\.severity) == [.warning])
        #expect(file.diagnostics.first?.location.line == 6)
    }

    @Test func typesWithoutAParserOfOursKeepTheirWireData() {
        let file = Self.read("$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\n@ CAA 0 issue \"ca.example\"\n@ MX 10 mail\nx TYPE65280 \\# 0\n")
        #expect(!file.failedToParse, "\(file.diagnostics)")
        // RFC 3597: an unknown type's data may be empty.
        #expect(file.zone?.records.contains { $0.type == 65280 && $0.rdata.isEmpty } == true)
        let caa = file.zone?.records.first { $0.type == 257 }
        #expect(caa?.rdata == [0, 5] + Array("issue".utf8) + Array("ca.example".utf8))
        let mx = file.zone?.records.first { $0.type == RRType.mx.rawValue }
        #expect(mx.flatMap { RData(type: .mx, uncompressed: $0.rdata) } == .mx(preference: 10, exchange: DomainName("mail.internal.")!))
    }
}
