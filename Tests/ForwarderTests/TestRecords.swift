import DNSWire

/// Records written as dig prints them, for tables: `owner TTL [CLASS] TYPE rdata`. Enough of the
/// types for forwarding tests: A, CNAME, DNAME, NS, MX, TXT, SOA, and RRSIG/NSEC with only the
/// fields a filter looks at (RRSIG: the covered type; NSEC: the next name).
func rr(_ text: String) -> WireRecord {
    var fields = text.split(separator: " ").map(String.init)
    let owner = DomainName(fields.removeFirst())!
    let ttl = UInt32(fields.removeFirst())!
    var rrclass: UInt16 = 1
    if fields.first == "IN" {
        fields.removeFirst()
    } else if fields.first == "CH" {
        fields.removeFirst()
        rrclass = 3
    }
    let type = RRType(fields.removeFirst())!
    let rdata: [UInt8]
    switch type {
    case .a: rdata = fields[0].split(separator: ".").map { UInt8($0)! }
    case .cname, .dname, .ns: rdata = DomainName(fields[0])!.wire
    case .mx: rdata = [0, UInt8(fields[0])!] + DomainName(fields[1])!.wire
    case .txt: rdata = [UInt8(fields[0].utf8.count)] + Array(fields[0].utf8)
    case .soa:
        var bytes = DomainName(fields[0])!.wire + DomainName(fields[1])!.wire
        for value in fields[2...6].map({ UInt32($0)! }) {
            bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        }
        rdata = bytes
    case .rrsig:
        let covered = RRType(fields[0])!.rawValue
        rdata = [UInt8(covered >> 8), UInt8(covered & 0xFF)] + Array(repeating: 0, count: 16) + DomainName("example.test.")!.wire
    case .nsec: rdata = DomainName(fields[0])!.wire + [0, 1, 0x40]
    default: rdata = []
    }
    return WireRecord(owner: owner, type: type, rrclass: rrclass, ttl: ttl, rdata: rdata)
}

/// A record as the tables print it: `owner TTL TYPE` and the rdata's first name or address.
func text(_ record: WireRecord) -> String {
    var rdata: String
    switch record.type {
    case .a: rdata = record.rdata.map(String.init).joined(separator: ".")
    case .cname, .dname, .ns, .soa, .nsec:
        rdata = record.rdata.withUnsafeBytes { (try? MessageParser.readName($0, at: 0))?.0.description } ?? "?"
    case .mx:
        rdata = Array(record.rdata.dropFirst(2)).withUnsafeBytes { (try? MessageParser.readName($0, at: 0))?.0.description } ?? "?"
    case .rrsig: rdata = RRType(rawValue: UInt16(record.rdata[0]) << 8 | UInt16(record.rdata[1])).description
    default: rdata = "..."
    }
    return "\(record.owner) \(record.ttl) \(record.rrclass == 1 ? "" : "CH ")\(record.type) \(rdata)"
}

/// An upstream reply with these sections, as `MessageParser` would give it.
func reply(
    _ name: String, _ type: RRType, rcode: UInt16 = 0, answer: [String] = [], authority: [String] = [],
    additional: [String] = []
) -> ParsedMessage {
    ParsedMessage(
        id: 1, flags: 0x8180 | rcode, question: (DomainName(name)!, type, 1), answer: answer.map(rr),
        authority: authority.map(rr), additional: additional.map(rr))
}
