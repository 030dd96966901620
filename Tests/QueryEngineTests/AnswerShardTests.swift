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
        #expect(
            shard.entryList.reduce(0) { $0 + shard.namePrefix(at: $1).count } + names.count * shard.suffix.count
                == names.reduce(0) { $0 + $1.wire.count })
        for (index, name) in names.enumerated() {
            #expect(shard.index(of: name) != nil, "\(name)")
            #expect(shard.index(of: name).map { shard.name(at: $0) } == name)
            #expect(shard.entries()[index].name == name.wire)
        }
        for text in test.absent {
            #expect(shard.index(of: try #require(DomainName(text))) == nil, "\(text)")
        }
    }

    /// Each name's answers sit side by side, the end of one the start of the next: every shape
    /// of entry (typed answers, one for other types, ANY shared with a typed answer or its own,
    /// none at all) must come back exactly, and each question type must pick its answer.
    @Test func everyEntryShapeComesBackAndEachTypeFindsItsAnswer() throws {
        func blob(_ byte: UInt8, _ count: Int, cuts: Int = 0, zone: Int? = nil, chained: Bool = false) -> CompiledBlob {
            CompiledBlob(
                rcode: byte % 4, bytes: [UInt8](repeating: byte, count: count), answerCount: UInt16(count),
                additionalCount: UInt16(cuts), cuts: (0..<cuts).map { CutPoint(end: UInt32($0 + 1), answerCount: 1, authorityCount: 0, additionalCount: UInt16($0)) },
                externalChain: chained ? ExternalChain(target: DomainName(uncheckedWire: [1, 120, 0]), links: []) : nil,
                authorityZone: zone)
        }
        func name(_ text: String) throws -> [UInt8] { try #require(DomainName(text)).wire }
        let a = blob(1, 16, cuts: 2)
        let entries = [
            CompiledEntry(name: try name("a.ns.svc.cluster.local."), zone: 0, typed: [(1, a), (33, blob(2, 40, cuts: 3))], any: a),
            CompiledEntry(name: try name("cname.ns.svc.cluster.local."), zone: 0, typed: [(5, blob(3, 30))], other: blob(4, 30, chained: true), any: blob(5, 31)),
            CompiledEntry(name: try name("empty.ns.svc.cluster.local."), zone: 0),
            CompiledEntry(name: try name("other.ns.svc.cluster.local."), zone: 7, other: blob(6, 0, zone: 7)),
            CompiledEntry(name: try name("last.ns.svc.cluster.local."), zone: 0, typed: [(28, blob(7, 28, cuts: 1))], any: blob(8, 5, cuts: 4)),
        ]
        let shard = AnswerShard(entries: entries)
        #expect(shard.entries() == entries)
        for (index, entry) in entries.enumerated() {
            let found = try #require(shard.index(of: DomainName(uncheckedWire: entry.name)))
            #expect(found == shard.entryList[index])
            for qtype: UInt16 in [1, 5, 28, 33, 16, 255] {
                let expected = qtype == 255 ? entry.any : (entry.typed.first { $0.type == qtype }?.blob ?? entry.other)
                let answer = shard.answerIndex(found, qtype: qtype)
                #expect((answer < 0 ? nil : shard.blob(answer)) == expected, "\(entry.name) \(qtype)")
            }
        }
        #expect(shard.storedAnswers.count == 8, "an ANY equal to a typed answer is stored once")
        #expect(shard.storedAnswers.bytes == 16 + 40 + 30 + 30 + 31 + 28 + 5)
    }

    /// A zone file may give one name hundreds of types (generic `TYPEnnn` records): more than a
    /// byte counts. Each is found, ANY included, and the entry comes back whole.
    @Test func aNameWithHundredsOfTypesKeepsThemAll() throws {
        let blobs = (0..<300).map { index in
            CompiledBlob(rcode: 0, bytes: [UInt8(truncatingIfNeeded: index), UInt8(index >> 8)], answerCount: 1, cuts: [])
        }
        let entry = CompiledEntry(
            name: try #require(DomainName("many.example.")).wire, zone: 2,
            typed: blobs.enumerated().map { (UInt16(1000 + $0.offset), $0.element) }, any: blobs[299])
        let shard = AnswerShard(entries: [entry])
        #expect(shard.entries() == [entry])
        let found = try #require(shard.index(of: DomainName(uncheckedWire: entry.name)))
        for index in [0, 255, 256, 299] {
            #expect(shard.blob(shard.answerIndex(found, qtype: UInt16(1000 + index))) == blobs[index])
        }
        #expect(shard.blob(shard.answerIndex(found, qtype: 255)) == blobs[299])
        #expect(shard.answerIndex(found, qtype: 999) == -1)
        #expect(shard.zone(at: found) == 2)
    }
}
