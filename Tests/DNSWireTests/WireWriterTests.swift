import DNSWire
import Testing
import LDNSTestSupport

/// Name compression (RFC 1035 §4.1.4): a pointer is 14 bits, so nothing past offset 0x3FFF can
/// be pointed at, however long the message grows.
@Suite("WireWriter: name compression within 14-bit offsets")
struct WireWriterTests {
    /// The name at `offset` of `message`, following pointers; nil on a pointer that leaves the
    /// 14-bit range, points forward or loops.
    static func readName(_ message: [UInt8], at start: Int) -> String? {
        var labels: [String] = []
        var offset = start
        var jumps = 0
        while offset < message.count {
            let length = Int(message[offset])
            if length == 0 { return labels.joined(separator: ".") + "." }
            if length & 0xC0 == 0xC0 {
                guard offset + 1 < message.count, jumps < 64 else { return nil }
                let target = (length & 0x3F) << 8 | Int(message[offset + 1])
                guard target < offset else { return nil }
                offset = target
                jumps += 1
                continue
            }
            guard length < 64, offset + 1 + length <= message.count else { return nil }
            labels.append(String(decoding: message[(offset + 1)..<(offset + 1 + length)], as: UTF8.self))
            offset += 1 + length
        }
        return nil
    }

    @Test func aSuffixBeyondOffset0x3FFFIsWrittenLiterallyNotPointedAt() throws {
        var writer = WireWriter(compression: true, base: 12)
        writer.writeName(DomainName("example.")!)
        // Fill until a name starts just below 0x4000, so that its later labels lie past it.
        writer.writeBytes([UInt8](repeating: 0, count: 0x3FF0 - 12 - writer.count))
        let first = 12 + writer.count
        writer.writeName(DomainName("aaaaaaaaaaaaaaaaaaaa.zzzz.example.")!)
        let second = 12 + writer.count
        writer.writeName(DomainName("b.zzzz.example.")!)
        let message = [UInt8](repeating: 0, count: 12) + writer.bytes
        #expect(Self.readName(message, at: first) == "aaaaaaaaaaaaaaaaaaaa.zzzz.example.")
        #expect(Self.readName(message, at: second) == "b.zzzz.example.")
        // The second name's "zzzz" lies past 0x3FFF in the first: it is spelled out, and only
        // "example." (early in the message) is pointed at.
        #expect(Array(message[second..<(second + 7)]) == [1, 0x62, 4, 0x7A, 0x7A, 0x7A, 0x7A])
    }

    @Test func everyPointerOfALongMessageIsInRange() {
        var writer = WireWriter(compression: true, base: 12)
        var starts: [(Int, String)] = []
        for index in 0..<3000 {
            let name = "host-\(index).rack-\(index % 37).zone-\(index % 5).example."
            starts.append((12 + writer.count, name))
            writer.writeName(DomainName(name)!)
        }
        let message = [UInt8](repeating: 0, count: 12) + writer.bytes
        #expect(message.count > 0x8000)
        for (start, name) in starts { #expect(Self.readName(message, at: start) == name) }
    }

    @Test func truncatingForgetsTheNamesItDrops() {
        var writer = WireWriter(compression: true, base: 12)
        writer.writeName(DomainName("keep.example.")!)
        let mark = writer.count
        writer.writeName(DomainName("gone.other.")!)
        writer.truncate(to: mark)
        let start = 12 + writer.count
        writer.writeName(DomainName("x.other.")!)
        let message = [UInt8](repeating: 0, count: 12) + writer.bytes
        #expect(Self.readName(message, at: start) == "x.other.")
    }
}
