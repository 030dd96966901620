import DNSWire
import Testing
import ZoneCompiler

/// A shard keeps the bytes its names share once: every name is still found, and told apart from
/// names that share the tail, are shorter than it, or are a name's own tail.
@Suite("Answer shards: names stored without their common tail")
struct AnswerShardTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var stored: [String]
        var suffix: String
        var absent: [String]
        var testDescription: String { self.stored.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(
            stored: ["ns-0000.svc.cluster.local.", "web.ns-0000.svc.cluster.local.", "_http._tcp.web.ns-0000.svc.cluster.local."],
            suffix: "ns-0000.svc.cluster.local.",
            absent: ["svc.cluster.local.", "db.ns-0000.svc.cluster.local.", "web.ns-0001.svc.cluster.local.", "."]),
        // The tail common to all is `b.arpa.` plus one byte of the labels before it.
        Case(stored: ["4.3.2.10.in-addr.arpa.", "5.3.2.10.in-addr.arpa."], suffix: "", absent: ["6.3.2.10.in-addr.arpa.", "in-addr.arpa."]),
        Case(stored: ["only.example."], suffix: "only.example.", absent: ["example.", "x.only.example.", "."]),
        Case(stored: ["a.", "b."], suffix: "", absent: ["c.", "."]),
    ]

    @Test(arguments: Self.cases)
    func everyNameIsFoundAndNoOther(_ test: Case) throws {
        let names = try test.stored.map { try #require(DomainName($0)) }
        let blob = CompiledBlob(rcode: 0, bytes: [], answerCount: 0, cuts: [])
        let shard = AnswerShard(entries: names.map { CompiledEntry(name: $0.lowercased.wire, zone: 0, typed: [(1, blob)]) })
        if !test.suffix.isEmpty {
            let suffix = try #require(DomainName(test.suffix))
            #expect(shard.suffix.count >= suffix.wire.count, "the shared tail is kept once")
        }
        #expect(shard.nameBytes.count + names.count * shard.suffix.count == names.reduce(0) { $0 + $1.wire.count })
        for (index, name) in names.enumerated() {
            #expect(shard.index(of: name) != nil, "\(name)")
            #expect(shard.index(of: name).map { shard.name(at: $0) } == name)
            #expect(shard.entries()[index].name == name.wire)
        }
        for text in test.absent {
            #expect(shard.index(of: try #require(DomainName(text))) == nil, "\(text)")
        }
    }
}
