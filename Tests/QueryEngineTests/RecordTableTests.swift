import DNSWire
import QueryEngine
import ZoneCompiler
import LDNSTestSupport
import Testing

/// One question and the response it must get, records written as dig prints them.
struct ExpectedResponse: CustomTestStringConvertible, Sendable {
    var qname: String
    var qtype: RRType
    var rcode: Int = 0
    var answer: [String] = []
    var authority: [String] = []
    var additional: [String] = []

    var testDescription: String { "\(self.qname) \(self.qtype)" }
}

private let soa = "cluster.local. 5 SOA ns.dns.cluster.local. hostmaster.cluster.local. 7 7200 1800 86400 5"
private let reverseSOA = "96.10.in-addr.arpa. 5 SOA ns.dns.cluster.local. hostmaster.cluster.local. 7 7200 1800 86400 5"
private let noError = 0
private let nxDomain = 3

@Suite("Records: every form of the Kubernetes DNS specification, and RFC-exact negatives")
struct RecordTableTests {
    static let table: [ExpectedResponse] = [
        // 2.2: the schema version.
        .init(qname: "dns-version.cluster.local.", qtype: .txt, answer: ["dns-version.cluster.local. 5 TXT \"1.1.0\""]),
        .init(qname: "dns-version.cluster.local.", qtype: .a, authority: [soa]),
        // 2.3: ClusterIP service: A, SRV per named port, PTR.
        .init(qname: "web.dev.svc.cluster.local.", qtype: .a, answer: ["web.dev.svc.cluster.local. 5 A 10.96.0.5"]),
        .init(qname: "web.dev.svc.cluster.local.", qtype: .aaaa, authority: [soa]),
        .init(qname: "web.dev.svc.cluster.local.", qtype: .soa, authority: [soa]),
        .init(qname: "web.dev.svc.cluster.local.", qtype: .any, answer: ["web.dev.svc.cluster.local. 5 A 10.96.0.5"]),
        .init(
            qname: "_http._tcp.web.dev.svc.cluster.local.", qtype: .srv,
            answer: ["_http._tcp.web.dev.svc.cluster.local. 5 SRV 0 100 80 web.dev.svc.cluster.local."],
            additional: ["web.dev.svc.cluster.local. 5 A 10.96.0.5"]),
        .init(qname: "_tcp.web.dev.svc.cluster.local.", qtype: .srv, authority: [soa]),
        .init(qname: "_http._udp.web.dev.svc.cluster.local.", qtype: .srv, rcode: nxDomain, authority: [soa]),
        .init(
            qname: "5.0.96.10.in-addr.arpa.", qtype: .ptr,
            answer: ["5.0.96.10.in-addr.arpa. 5 PTR web.dev.svc.cluster.local."]),
        // Endpoint names of a ClusterIP service, as CoreDNS serves them; only ready ones.
        .init(
            qname: "10-244-0-1.web.dev.svc.cluster.local.", qtype: .a,
            answer: ["10-244-0-1.web.dev.svc.cluster.local. 5 A 10.244.0.1"]),
        .init(qname: "10-244-0-3.web.dev.svc.cluster.local.", qtype: .a, rcode: nxDomain, authority: [soa]),
        .init(
            qname: "1.0.244.10.in-addr.arpa.", qtype: .ptr,
            answer: ["1.0.244.10.in-addr.arpa. 5 PTR 10-244-0-1.web.dev.svc.cluster.local."]),
        // 2.4: headless: one A per ready endpoint, hostnames, SRV per endpoint, PTR.
        .init(
            qname: "db.dev.svc.cluster.local.", qtype: .a,
            answer: ["db.dev.svc.cluster.local. 5 A 10.244.1.1", "db.dev.svc.cluster.local. 5 A 10.244.1.2"]),
        .init(qname: "db-0.db.dev.svc.cluster.local.", qtype: .a, answer: ["db-0.db.dev.svc.cluster.local. 5 A 10.244.1.1"]),
        .init(qname: "db-2.db.dev.svc.cluster.local.", qtype: .a, rcode: nxDomain, authority: [soa]),
        .init(
            qname: "_pg._tcp.db.dev.svc.cluster.local.", qtype: .srv,
            answer: [
                "_pg._tcp.db.dev.svc.cluster.local. 5 SRV 0 50 5432 db-0.db.dev.svc.cluster.local.",
                "_pg._tcp.db.dev.svc.cluster.local. 5 SRV 0 50 5432 db-1.db.dev.svc.cluster.local.",
            ],
            additional: ["db-0.db.dev.svc.cluster.local. 5 A 10.244.1.1", "db-1.db.dev.svc.cluster.local. 5 A 10.244.1.2"]),
        .init(
            qname: "1.1.244.10.in-addr.arpa.", qtype: .ptr,
            answer: ["1.1.244.10.in-addr.arpa. 5 PTR db-0.db.dev.svc.cluster.local."]),
        .init(qname: "3.1.244.10.in-addr.arpa.", qtype: .ptr, rcode: nxDomain, authority: [
            "244.10.in-addr.arpa. 5 SOA ns.dns.cluster.local. hostmaster.cluster.local. 7 7200 1800 86400 5"
        ]),
        .init(
            qname: "same.shared.dev.svc.cluster.local.", qtype: .a,
            answer: ["same.shared.dev.svc.cluster.local. 5 A 10.244.2.1", "same.shared.dev.svc.cluster.local. 5 A 10.244.2.2"]),
        .init(qname: "empty-headless.dev.svc.cluster.local.", qtype: .a, rcode: nxDomain, authority: [soa]),
        // publishNotReadyAddresses publishes not-ready endpoints, never terminating ones.
        .init(qname: "unready.dev.svc.cluster.local.", qtype: .a, answer: ["unready.dev.svc.cluster.local. 5 A 10.244.3.1"]),
        .init(
            qname: "v6only.dev.svc.cluster.local.", qtype: .aaaa,
            answer: ["v6only.dev.svc.cluster.local. 5 AAAA fd00:10:244::5"]),
        .init(
            qname: "fd00-10-244--5.v6only.dev.svc.cluster.local.", qtype: .aaaa,
            answer: ["fd00-10-244--5.v6only.dev.svc.cluster.local. 5 AAAA fd00:10:244::5"]),
        // Dual-stack: A and AAAA, and PTR in ip6.arpa.
        .init(qname: "dual.dev.svc.cluster.local.", qtype: .aaaa, answer: ["dual.dev.svc.cluster.local. 5 AAAA fd00:10:96::6"]),
        .init(
            qname: "6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.", qtype: .ptr,
            answer: ["6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa. 5 PTR dual.dev.svc.cluster.local."]),
        // 2.5: ExternalName: a CNAME for every type; nothing below it.
        .init(qname: "ext.dev.svc.cluster.local.", qtype: .a, answer: ["ext.dev.svc.cluster.local. 5 CNAME www.example.com."]),
        .init(qname: "ext.dev.svc.cluster.local.", qtype: .cname, answer: ["ext.dev.svc.cluster.local. 5 CNAME www.example.com."]),
        .init(qname: "ext.dev.svc.cluster.local.", qtype: .txt, answer: ["ext.dev.svc.cluster.local. 5 CNAME www.example.com."]),
        .init(qname: "www.ext.dev.svc.cluster.local.", qtype: .a, rcode: nxDomain, authority: [soa]),
        .init(qname: "_http._tcp.ext.dev.svc.cluster.local.", qtype: .srv, rcode: nxDomain, authority: [soa]),
        // In-zone targets are followed (RFC 1034 §4.3.2), the RCODE that of the last name (RFC 6604).
        .init(
            qname: "alias.dev.svc.cluster.local.", qtype: .a,
            answer: ["alias.dev.svc.cluster.local. 5 CNAME web.dev.svc.cluster.local.", "web.dev.svc.cluster.local. 5 A 10.96.0.5"]),
        .init(
            qname: "alias.dev.svc.cluster.local.", qtype: .aaaa,
            answer: ["alias.dev.svc.cluster.local. 5 CNAME web.dev.svc.cluster.local."], authority: [soa]),
        .init(
            qname: "dangling.dev.svc.cluster.local.", qtype: .a, rcode: nxDomain,
            answer: ["dangling.dev.svc.cluster.local. 5 CNAME nothing.dev.svc.cluster.local."], authority: [soa]),
        .init(
            qname: "loop1.dev.svc.cluster.local.", qtype: .a,
            answer: [
                "loop1.dev.svc.cluster.local. 5 CNAME loop2.dev.svc.cluster.local.",
                "loop2.dev.svc.cluster.local. 5 CNAME loop1.dev.svc.cluster.local.",
            ]),
        // 2.6: pod records (verified: only pods that exist).
        .init(qname: "10-244-0-1.dev.pod.cluster.local.", qtype: .a, answer: ["10-244-0-1.dev.pod.cluster.local. 5 A 10.244.0.1"]),
        .init(
            qname: "fd00-10-244--2.dev.pod.cluster.local.", qtype: .aaaa,
            answer: ["fd00-10-244--2.dev.pod.cluster.local. 5 AAAA fd00:10:244::2"]),
        .init(qname: "10-244-9-9.dev.pod.cluster.local.", qtype: .a, rcode: nxDomain, authority: [soa]),
        .init(qname: "10-244-0-1.empty.pod.cluster.local.", qtype: .a, rcode: nxDomain, authority: [soa]),
        // Empty non-terminals are NOERROR/NODATA (RFC 8020), never NXDOMAIN.
        .init(qname: "svc.cluster.local.", qtype: .a, authority: [soa]),
        .init(qname: "dev.svc.cluster.local.", qtype: .a, authority: [soa]),
        .init(qname: "dev.svc.cluster.local.", qtype: .any, authority: [soa]),
        .init(qname: "empty.svc.cluster.local.", qtype: .a, authority: [soa]),
        .init(qname: "pod.cluster.local.", qtype: .a, authority: [soa]),
        .init(qname: "dev.pod.cluster.local.", qtype: .a, authority: [soa]),
        .init(qname: "dns.cluster.local.", qtype: .a, authority: [soa]),
        .init(qname: "0.96.10.in-addr.arpa.", qtype: .ptr, authority: [reverseSOA]),
        .init(qname: "nope.svc.cluster.local.", qtype: .a, rcode: nxDomain, authority: [soa]),
        .init(qname: "nope.dev.svc.cluster.local.", qtype: .a, rcode: nxDomain, authority: [soa]),
        .init(qname: "9.9.96.10.in-addr.arpa.", qtype: .ptr, rcode: nxDomain, authority: [reverseSOA]),
        // Wildcards are not special.
        .init(qname: "*.dev.svc.cluster.local.", qtype: .a, rcode: nxDomain, authority: [soa]),
        // The apex.
        .init(qname: "cluster.local.", qtype: .soa, answer: [soa]),
        .init(
            qname: "cluster.local.", qtype: .ns, answer: ["cluster.local. 5 NS ns.dns.cluster.local."],
            additional: ["ns.dns.cluster.local. 5 A 10.96.0.10"]),
        .init(qname: "cluster.local.", qtype: .a, authority: [soa]),
        .init(qname: "ns.dns.cluster.local.", qtype: .a, answer: ["ns.dns.cluster.local. 5 A 10.96.0.10"]),
        .init(qname: "96.10.in-addr.arpa.", qtype: .soa, answer: [reverseSOA]),
    ]

    @Test(arguments: Self.table)
    func answers(_ expected: ExpectedResponse) throws {
        let reply = try #require(ask(expected.qname, expected.qtype))
        #expect(reply.rcode == expected.rcode)
        #expect(reply.aa)
        #expect(!reply.tc)
        #expect(reply.answer == expected.answer)
        #expect(reply.authority == expected.authority)
        #expect(reply.additional == expected.additional)
    }

    @Test func answersEchoTheQuestionsSpelling() throws {
        let reply = try #require(ask("WeB.DEV.svc.Cluster.Local.", .a))
        #expect(reply.answer == ["WeB.DEV.svc.Cluster.Local. 5 A 10.96.0.5"])
        #expect(reply.question == ["WeB.DEV.svc.Cluster.Local. A"])
    }

    @Test func namesOutsideOurZonesAreRefused() throws {
        let reply = try #require(ask("www.example.com.", .a))
        #expect(reply.rcode == 5)
        #expect(!reply.aa)
        #expect(reply.answer.isEmpty && reply.authority.isEmpty)
    }

    @Test func insecurePodsAnswerAnyDashedAddressInAnExistingNamespace() throws {
        var options = referenceOptions
        options.pods = .insecure
        let snapshot = RecordSnapshot.build(referenceCluster, options: options)
        let reply = try #require(ask("1-2-3-4.dev.pod.cluster.local.", .a, snapshot: snapshot))
        #expect(reply.answer == ["1-2-3-4.dev.pod.cluster.local. 5 A 1.2.3.4"])
        let v6 = try #require(ask("fd00--1.dev.pod.cluster.local.", .aaaa, snapshot: snapshot))
        #expect(v6.answer == ["fd00--1.dev.pod.cluster.local. 5 AAAA fd00::1"])
        let noData = try #require(ask("1-2-3-4.dev.pod.cluster.local.", .aaaa, snapshot: snapshot))
        #expect(noData.rcode == 0 && noData.answer.isEmpty && noData.authority == [soa])
        let missingNamespace = try #require(ask("1-2-3-4.nowhere.pod.cluster.local.", .a, snapshot: snapshot))
        #expect(missingNamespace.rcode == 3)
        let notAnAddress = try #require(ask("1-2-3-999.dev.pod.cluster.local.", .a, snapshot: snapshot))
        #expect(notAnAddress.rcode == 3)
    }

    @Test func disabledPodsServeNoPodRecords() throws {
        var options = referenceOptions
        options.pods = .disabled
        let snapshot = RecordSnapshot.build(referenceCluster, options: options)
        #expect(try #require(ask("10-244-0-1.dev.pod.cluster.local.", .a, snapshot: snapshot)).rcode == 3)
    }
}
