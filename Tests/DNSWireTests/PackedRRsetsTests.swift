import Testing

@testable import DNSWire

@Suite("Packed RRsets: compact storage of forwarded records")
struct PackedRRsetsTests {
    private func a(_ owner: String, ttl: UInt32, _ last: UInt8) -> WireRecord {
        WireRecord(owner: DomainName(owner)!, type: .a, ttl: ttl, rdata: [192, 0, 2, last])
    }

    @Test func recordsOfOneOwnerAndTypeShareAnRRsetWithTheSmallestTTL() {
        let packed = PackedRRsets([
            a("www.example.test.", ttl: 300, 1), a("WWW.example.test.", ttl: 60, 2),
            WireRecord(owner: DomainName("www.example.test.")!, type: .aaaa, ttl: 60, rdata: Array(repeating: 1, count: 16)),
            a("www.example.test.", ttl: 30, 3),
        ])
        #expect(packed.rrsetCount == 3 && packed.recordCount == 4)
        #expect(packed.rrsets.map(\.count) == [2, 1, 1])
        // RFC 2181 §5.2: one TTL per RRset, the smallest.
        #expect(packed.records.map(\.ttl) == [60, 60, 60, 30])
        #expect(packed.records.map(\.rdata.last) == [1, 2, 1, 3])
        #expect(packed.minimumTTL == 30)
    }

    @Test func anRRsetCostsItsOwnerOnceAndEachRecordItsRdataAndLength() {
        let records = (0..<100).map { a("www.example.test.", ttl: 60, UInt8($0)) }
        let packed = PackedRRsets(records)
        let owner = DomainName("www.example.test.")!.wire.count
        #expect(packed.byteCount == owner + 10 + 100 * (2 + 4))
        #expect(packed.compacted() == packed)
        // Exactly sized but for the allocator's rounding up to its size class (jemalloc's are up
        // to a quarter apart); an array grown by appending doubles, and would hold 1,024 here.
        #expect(packed.compacted().bytes.capacity <= packed.byteCount * 5 / 4 + 32)
    }

    @Test func agingCountsDownAndStopsAtZero() {
        let packed = PackedRRsets([a("a.test.", ttl: 100, 1), a("b.test.", ttl: 5, 2)])
        #expect(packed.aged(by: 10).records.map(\.ttl) == [90, 0])
        #expect(packed.aged(by: 0) == packed)
    }

    @Test func appendingAnotherKeepsItsRRsetsAndCanGrowItsLast() {
        var first = PackedRRsets([a("cname.test.", ttl: 5, 1)])
        var second = PackedRRsets([a("x.test.", ttl: 50, 2)])
        second.append(a("y.test.", ttl: 50, 3))
        first.append(contentsOf: second)
        first.append(a("y.test.", ttl: 20, 4))
        #expect(first.rrsets.map(\.count) == [1, 1, 2])
        #expect(first.records.map(\.owner.description) == ["cname.test.", "x.test.", "y.test.", "y.test."])
        #expect(first.records.map(\.ttl) == [5, 50, 20, 20])
    }

    @Test func namesInRdataAreMappedForTheTypesThatHoldThem() {
        let mx = WireRecord(
            owner: DomainName("Example.test.")!, type: .mx, ttl: 60, rdata: [0, 10] + DomainName("mail.Example.test.")!.wire)
        let mapped = mx.mappingNames { $0.lowercased }
        #expect(mapped.owner.wire == DomainName("example.test.")!.wire)
        #expect(mapped.rdata == [0, 10] + DomainName("mail.example.test.")!.wire)
        let txt = WireRecord(owner: DomainName("A.test.")!, type: .txt, ttl: 60, rdata: [3, 0x41, 0x42, 0x43])
        #expect(txt.mappingNames { $0.lowercased }.rdata == txt.rdata, "TXT holds no names")
    }
}

@Suite("WireWriter: write in place, roll back by length")
struct WireWriterRollbackTests {
    @Test func rollingBackForgetsTheBytesAndTheNamesWrittenSince() {
        var writer = WireWriter(compression: true, base: 12)
        writer.writeName(DomainName("www.example.test.")!)
        let mark = writer.mark
        writer.writeName(DomainName("mail.other.test.")!)
        writer.rollBack(to: mark)
        #expect(writer.count == DomainName("www.example.test.")!.wire.count)
        // A name written after the rollback may not point into the bytes that are gone.
        let before = writer.count
        writer.writeName(DomainName("other.test.")!)
        #expect(writer.bytes[before] == 5, "other.test. is written out: its label, not a pointer")
        #expect(writer.count - before == 8, "its own label, then a pointer to the test. kept from before the mark")
    }

    @Test func rollingBackPastTheSuffixTableLeavesNoStalePointers() {
        // More names than the linear search handles, so the suffix table is in use; then roll
        // back to before it was built and write a name the rolled-back ones would have matched.
        var writer = WireWriter(compression: true)
        writer.writeName(DomainName("keep.test.")!)
        let mark = writer.mark
        for index in 0..<40 { writer.writeName(DomainName("n\(index).gone.test.")!) }
        writer.rollBack(to: mark)
        writer.writeName(DomainName("x.gone.test.")!)
        var expected = WireWriter(compression: true)
        expected.writeName(DomainName("keep.test.")!)
        expected.writeName(DomainName("x.gone.test.")!)
        #expect(writer.bytes == expected.bytes)
        for index in 0..<40 { writer.writeName(DomainName("n\(index).again.test.")!) }
        writer.writeName(DomainName("n3.again.test.")!)
        #expect(writer.bytes.suffix(2).first.map { $0 & 0xC0 } == 0xC0, "the table works again after the rollback")
    }
}
