import DNSWire
import Forwarder
import Testing

/// One upstream reply and what the filter must keep of it.
struct RelevanceCase: Sendable, CustomTestStringConvertible {
    var name: String
    var question: (String, RRType)
    var dnssecOK = false
    var rcode: UInt16 = 0
    var answer: [String] = []
    var authority: [String] = []
    var additional: [String] = []
    var keptAnswer: [String] = []
    var keptAuthority: [String] = []
    var keptRcode: UInt16? = nil

    var testDescription: String { self.name }
}

@Suite("Relevance: only the chain from the question, and the SOA of a denial")
struct RelevanceFilterTests {
    static let clusterZone = DomainName("cluster.local.")!

    static let cases: [RelevanceCase] = [
        RelevanceCase(
            name: "a planted cluster record, NS and glue are dropped",
            question: ("ext.test.", .a),
            answer: ["ext.test. 60 A 192.0.2.1", "service-clusterip.dev.svc.cluster.local. 60 A 6.6.6.6"],
            authority: ["test. 60 NS ns.evil."], additional: ["ns.evil. 60 A 6.6.6.7"],
            keptAnswer: ["ext.test. 60 A 192.0.2.1"]),
        RelevanceCase(
            name: "a CNAME chain is followed to its data; records beside it go",
            question: ("www.example.test.", .a),
            answer: [
                "www.example.test. 60 CNAME a.example.net.", "unrelated.example.net. 60 A 6.6.6.6",
                "b.example.org. 60 A 192.0.2.2", "a.example.net. 60 CNAME b.example.org.",
            ],
            keptAnswer: [
                "www.example.test. 60 CNAME a.example.net.", "b.example.org. 60 A 192.0.2.2",
                "a.example.net. 60 CNAME b.example.org.",
            ]),
        RelevanceCase(
            name: "a CNAME loop is kept once and ends",
            question: ("a.test.", .a),
            answer: ["a.test. 60 CNAME b.test.", "b.test. 60 CNAME a.test."],
            keptAnswer: ["a.test. 60 CNAME b.test.", "b.test. 60 CNAME a.test."]),
        RelevanceCase(
            name: "a chain is cut after 16 links",
            question: ("c0.test.", .a),
            answer: (0..<20).map { "c\($0).test. 60 CNAME c\($0 + 1).test." } + ["c20.test. 60 A 192.0.2.20"],
            keptAnswer: (0..<16).map { "c\($0).test. 60 CNAME c\($0 + 1).test." }),
        RelevanceCase(
            name: "a DNAME and the CNAME synthesized from it move the chain on",
            question: ("www.x.example.test.", .a),
            answer: [
                "x.example.test. 60 DNAME y.example.net.", "www.x.example.test. 60 CNAME www.y.example.net.",
                "www.y.example.net. 60 A 192.0.2.3", "other.y.example.net. 60 A 6.6.6.6",
            ],
            keptAnswer: [
                "x.example.test. 60 DNAME y.example.net.", "www.x.example.test. 60 CNAME www.y.example.net.",
                "www.y.example.net. 60 A 192.0.2.3",
            ]),
        RelevanceCase(
            name: "a CNAME that disagrees with the DNAME is not the chain",
            question: ("www.x.example.test.", .a),
            answer: [
                "x.example.test. 60 DNAME y.example.net.", "www.x.example.test. 60 CNAME evil.test.",
                "evil.test. 60 A 6.6.6.6", "www.y.example.net. 60 A 192.0.2.3",
            ],
            keptAnswer: ["x.example.test. 60 DNAME y.example.net.", "www.y.example.net. 60 A 192.0.2.3"]),
        RelevanceCase(
            name: "NXDOMAIN keeps the SOA of the name's zone, not another zone's, nor NS",
            question: ("nothere.example.test.", .a), rcode: 3,
            authority: [
                "evil.test. 60 SOA ns.evil. h.evil. 1 2 3 4 5", "example.test. 60 SOA ns.example.test. h.example.test. 1 2 3 4 5",
                "example.test. 60 NS ns.example.test.",
            ],
            keptAuthority: ["example.test. 60 SOA ns.example.test."]),
        RelevanceCase(
            name: "NODATA keeps the SOA",
            question: ("www.example.test.", .mx),
            authority: ["example.test. 60 SOA ns.example.test. h.example.test. 1 2 3 4 5"],
            keptAnswer: [], keptAuthority: ["example.test. 60 SOA ns.example.test."]),
        RelevanceCase(
            name: "a positive answer keeps no authority",
            question: ("www.example.test.", .a),
            answer: ["www.example.test. 60 A 192.0.2.1"],
            authority: ["example.test. 60 SOA ns.example.test. h.example.test. 1 2 3 4 5", "example.test. 60 NS ns.example.test."],
            keptAnswer: ["www.example.test. 60 A 192.0.2.1"]),
        RelevanceCase(
            name: "a CNAME to a name that does not exist keeps the chain and the target zone's SOA",
            question: ("www.example.test.", .a), rcode: 3,
            answer: ["www.example.test. 60 CNAME gone.example.net."],
            authority: [
                "example.test. 60 SOA ns.example.test. h.example.test. 1 2 3 4 5",
                "example.net. 60 SOA ns.example.net. h.example.net. 1 2 3 4 5",
            ],
            keptAnswer: ["www.example.test. 60 CNAME gone.example.net."],
            keptAuthority: ["example.net. 60 SOA ns.example.net."]),
        RelevanceCase(
            name: "with DO, signatures over the chain and the denial's NSEC records stay",
            question: ("www.example.test.", .a), dnssecOK: true,
            answer: [
                "www.example.test. 60 CNAME b.example.test.", "www.example.test. 60 RRSIG CNAME",
                "b.example.test. 60 A 192.0.2.4", "b.example.test. 60 RRSIG A", "b.example.test. 60 RRSIG TXT",
            ],
            keptAnswer: [
                "www.example.test. 60 CNAME b.example.test.", "www.example.test. 60 RRSIG CNAME",
                "b.example.test. 60 A 192.0.2.4", "b.example.test. 60 RRSIG A",
            ]),
        RelevanceCase(
            name: "without DO, no signatures",
            question: ("b.example.test.", .a),
            answer: ["b.example.test. 60 A 192.0.2.4", "b.example.test. 60 RRSIG A"],
            keptAnswer: ["b.example.test. 60 A 192.0.2.4"]),
        RelevanceCase(
            name: "with DO, a denial keeps its proof under the SOA's zone",
            question: ("nothere.example.test.", .a), dnssecOK: true, rcode: 3,
            authority: [
                "example.test. 60 SOA ns.example.test. h.example.test. 1 2 3 4 5", "example.test. 60 RRSIG SOA",
                "a.example.test. 60 NSEC z.example.test.", "a.evil.test. 60 NSEC z.evil.test.",
            ],
            keptAuthority: [
                "example.test. 60 SOA ns.example.test.", "example.test. 60 RRSIG SOA", "a.example.test. 60 NSEC z.example.test.",
            ]),
        RelevanceCase(
            name: "records of another class go",
            question: ("www.example.test.", .a),
            answer: ["www.example.test. 60 CH A 6.6.6.6", "www.example.test. 60 A 192.0.2.1"],
            keptAnswer: ["www.example.test. 60 A 192.0.2.1"]),
        RelevanceCase(
            name: "ANY keeps every type at the name and follows nothing",
            question: ("www.example.test.", .any),
            answer: [
                "www.example.test. 60 A 192.0.2.1", "www.example.test. 60 TXT hello", "www.example.test. 60 MX 10 mail.example.test.",
                "mail.example.test. 60 A 6.6.6.6",
            ],
            keptAnswer: [
                "www.example.test. 60 A 192.0.2.1", "www.example.test. 60 TXT ...", "www.example.test. 60 MX mail.example.test.",
            ]),
        RelevanceCase(
            name: "a CNAME question gets the CNAME, not its target",
            question: ("www.example.test.", .cname),
            answer: ["www.example.test. 60 CNAME b.example.test.", "b.example.test. 60 A 192.0.2.4"],
            keptAnswer: ["www.example.test. 60 CNAME b.example.test."]),
        RelevanceCase(
            name: "a chain into our zone stops at the alias: our names are ours to answer",
            question: ("ext.test.", .a), rcode: 3,
            answer: [
                "ext.test. 60 CNAME service-clusterip.dev.svc.cluster.local.",
                "service-clusterip.dev.svc.cluster.local. 60 A 6.6.6.6",
            ],
            authority: ["cluster.local. 60 SOA ns.evil. h.evil. 1 2 3 4 5"],
            keptAnswer: ["ext.test. 60 CNAME service-clusterip.dev.svc.cluster.local."], keptRcode: 0),
        RelevanceCase(
            name: "a DNAME owned in our zone is not followed",
            question: ("www.svc.cluster.local.", .a),
            answer: ["svc.cluster.local. 60 DNAME evil.test.", "www.evil.test. 60 A 6.6.6.6"],
            keptAnswer: []),
    ]

    @Test(arguments: Self.cases)
    func keepsOnlyTheRelevantRecords(_ example: RelevanceCase) {
        let message = reply(
            example.question.0, example.question.1, rcode: example.rcode, answer: example.answer,
            authority: example.authority, additional: example.additional)
        let question = ForwardQuestion(
            name: DomainName(example.question.0)!, type: example.question.1, dnssecOK: example.dnssecOK)
        let selection = RelevanceFilter.select(message, for: question) { $0.isSubdomain(of: Self.clusterZone) }
        #expect(selection.answer.map(text) == example.keptAnswer)
        #expect(selection.authority.map(text) == example.keptAuthority)
        #expect(selection.rcode == example.keptRcode ?? example.rcode)
        let total = example.answer.count + example.authority.count + example.additional.count
        #expect(selection.dropped == total - example.keptAnswer.count - example.keptAuthority.count)
    }
}
