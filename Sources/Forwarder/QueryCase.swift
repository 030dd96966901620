import DNSWire

/// Random letter case in the names we ask upstream (draft-vixie-dnsext-dns0x20), and the check
/// that a reply echoes it exactly.
///
/// Why this and not the client's own spelling: an off-path forger must already guess the source
/// port and the ID (RFC 5452 §9.2, §4); each letter's case is one more bit to guess, and we pick
/// it from the system's random generator whatever the client sent. Keeping the client's
/// spelling adds nothing when the client sends lower case, as stub resolvers do, and a shared
/// fetch can only carry one client's spelling anyway. Resolvers echo the question as it was
/// asked (RFC 1035 §7.3 matches replies on it); for an upstream that does not, the first reply
/// whose question differs only in case turns the randomisation off for that upstream, and its
/// questions are then sent in lower case and compared without case. Turning it off takes a
/// reply that already carries the right port and ID, which a forger who could send one would
/// not need.
package enum QueryCase {
    /// `name` with each ASCII letter's case chosen at random.
    package static func randomized(_ name: DomainName) -> DomainName {
        var generator = SystemRandomNumberGenerator()
        return Self.randomized(name, using: &generator)
    }

    package static func randomized(_ name: DomainName, using generator: inout some RandomNumberGenerator) -> DomainName {
        var wire = name.wire
        var bits: UInt64 = 0
        var left = 0
        var index = 0
        while index < wire.count, wire[index] != 0 {
            let end = index + 1 + Int(wire[index])
            for position in (index + 1)..<end where Self.isLetter(wire[position]) {
                if left == 0 {
                    bits = generator.next()
                    left = 64
                }
                wire[position] = bits & 1 == 0 ? wire[position] | 0x20 : wire[position] & ~0x20
                bits >>= 1
                left -= 1
            }
            index = end
        }
        return DomainName(uncheckedWire: wire)
    }

    /// Whether `received` spells `sent` exactly, octet for octet.
    package static func isExactEcho(_ received: DomainName, of sent: DomainName) -> Bool {
        received.wire == sent.wire
    }

    /// A function giving back, in `original`'s spelling, any ending of a name spelled exactly as
    /// `sent` spells it. An upstream that compresses names against the question copies our random
    /// case into owners and rdata (`mail.eXaMPle.TeST.`); clients should see the names as if the
    /// question had been asked as they asked it (RFC 4343 §4: case is kept where it can be).
    package static func restorer(sent: DomainName, original: DomainName) -> (DomainName) -> DomainName {
        let sentWire = sent.wire
        let originalWire = original.wire
        guard sentWire.count == originalWire.count, sentWire != originalWire else { return { $0 } }
        var sentStarts = Set<Int>()
        var index = 0
        while index < sentWire.count - 1 {
            sentStarts.insert(index)
            index += 1 + Int(sentWire[index])
        }
        return { name in
            let wire = name.wire
            var index = 0
            while index < wire.count - 1 {
                let start = sentWire.count - (wire.count - index)
                if start >= 0, sentStarts.contains(start), wire[index...].elementsEqual(sentWire[start...]) {
                    return DomainName(uncheckedWire: Array(wire[0..<index]) + originalWire[start...])
                }
                index += 1 + Int(wire[index])
            }
            return name
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
