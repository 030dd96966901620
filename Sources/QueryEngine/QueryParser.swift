import DNSWire
import ZoneCompiler

/// Reads a query's header, question and additional section (RFC 1035 §4.1, RFC 6891 §6) from
/// raw bytes, lower-casing the question name into a scratch buffer and hashing it in the same
/// pass. Everything a hostile packet can do wrong ends in `.drop` or `.formatError`.
package enum QueryParser {
    /// The outcome of parsing.
    package enum Result: Sendable {
        /// Shorter than a header, or QR=1: never answered (RFC 1035 §4.1.1, RFC 5452 §9.1).
        case drop
        /// The header is readable but the rest is not: FORMERR, echoing the ID, and the question
        /// when it could be read (the fault lies in a later section).
        case formatError(id: UInt16, flags: UInt16, questionEnd: Int?)
        /// An opcode other than QUERY: NOTIMP; the question is echoed when it could be read, and
        /// the OPT answered when the message carried a well-formed one (RFC 6891 §7).
        case notImplemented(id: UInt16, flags: UInt16, questionEnd: Int?, edns: EDNSInfo?)
        case query(ParsedQuery)
    }

    @inline(__always)
    static func load16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    /// Parses `bytes`. `name` must hold 255 bytes and `labelStarts` 128 entries.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, name: UnsafeMutableRawBufferPointer, labelStarts: UnsafeMutableBufferPointer<UInt8>
    ) -> Result {
        guard bytes.count >= 12 else { return .drop }
        let id = load16(bytes, 0)
        let flags = load16(bytes, 2)
        guard flags & HeaderFlags.response.rawValue == 0 else { return .drop }
        let questionCount = load16(bytes, 4)
        let answerCount = load16(bytes, 6)
        let authorityCount = load16(bytes, 8)
        let additionalCount = load16(bytes, 10)
        let opcode = (flags >> 11) & 0xF

        // RFC 9619: a query has exactly one question.
        guard questionCount == 1 else {
            if opcode != 0 { return .notImplemented(id: id, flags: flags, questionEnd: nil, edns: nil) }
            return .formatError(id: id, flags: flags, questionEnd: nil)
        }

        // The question name: plain labels only (no compression pointer can be legitimate in
        // the first name of a message), each at most 63 octets, the whole at most 255.
        var offset = 12
        var length = 0
        var hash = NameHash.seed
        var labels = 0
        while true {
            guard offset < bytes.count else { return .formatError(id: id, flags: flags, questionEnd: nil) }
            let labelLength = Int(bytes[offset])
            if labelLength == 0 {
                guard length + 1 <= 255 else { return .formatError(id: id, flags: flags, questionEnd: nil) }
                name[length] = 0
                hash = NameHash.step(hash, 0)
                length += 1
                offset += 1
                break
            }
            guard labelLength <= 63, offset + 1 + labelLength <= bytes.count, length + 1 + labelLength + 1 <= 255,
                labels < 127
            else {
                return .formatError(id: id, flags: flags, questionEnd: nil)
            }
            labelStarts[labels] = UInt8(length)
            labels += 1
            name[length] = UInt8(labelLength)
            hash = NameHash.step(hash, UInt8(labelLength))
            length += 1
            for index in 0..<labelLength {
                var byte = bytes[offset + 1 + index]
                if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
                name[length] = byte
                hash = NameHash.step(hash, byte)
                length += 1
            }
            offset += 1 + labelLength
        }
        guard offset + 4 <= bytes.count else { return .formatError(id: id, flags: flags, questionEnd: nil) }
        let qtype = load16(bytes, offset)
        let qclass = load16(bytes, offset + 2)
        let questionEnd = offset + 4

        let sections = Self.readOPT(
            bytes, from: questionEnd,
            recordCounts: (Int(answerCount), Int(authorityCount), Int(additionalCount)))
        guard opcode == 0 else {
            let edns: EDNSInfo?
            if case .wellFormed(let found) = sections { edns = found } else { edns = nil }
            return .notImplemented(id: id, flags: flags, questionEnd: questionEnd, edns: edns)
        }
        guard case .wellFormed(let edns) = sections else {
            return .formatError(id: id, flags: flags, questionEnd: questionEnd)
        }
        return .query(
            ParsedQuery(
                id: id, flags: flags, nameLength: length, questionEnd: questionEnd, qtype: qtype, qclass: qclass,
                hash: hash, labelCount: labels, edns: edns))
    }

    /// What the sections after the question hold: malformed, or well formed with at most one OPT.
    enum Sections {
        case malformed
        case wellFormed(EDNSInfo?)
    }

    /// Walks the answer, authority and additional sections for the OPT; counts that lie, a second
    /// OPT, or an OPT outside the additional section or not owned by the root are malformed.
    static func readOPT(
        _ bytes: UnsafeRawBufferPointer, from questionEnd: Int,
        recordCounts: (answer: Int, authority: Int, additional: Int)
    ) -> Sections {
        var offset = questionEnd
        var edns: EDNSInfo?
        let total = recordCounts.answer + recordCounts.authority + recordCounts.additional
        for index in 0..<total {
            let ownerStart = offset
            guard let afterName = Self.skipName(bytes, from: offset), afterName + 10 <= bytes.count else {
                return .malformed
            }
            let type = load16(bytes, afterName)
            let rdataLength = Int(load16(bytes, afterName + 8))
            let rdataStart = afterName + 10
            guard rdataStart + rdataLength <= bytes.count else { return .malformed }
            if type == 41 {
                // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
                let inAdditional = index >= recordCounts.answer + recordCounts.authority
                guard edns == nil, inAdditional, bytes[ownerStart] == 0, afterName == ownerStart + 1 else {
                    return .malformed
                }
                // Options must exactly fill the rdata.
                var optionOffset = rdataStart
                var keepalive = false
                while optionOffset < rdataStart + rdataLength {
                    guard optionOffset + 4 <= rdataStart + rdataLength else { return .malformed }
                    let code = load16(bytes, optionOffset)
                    let optionLength = Int(load16(bytes, optionOffset + 2))
                    if code == 11 {
                        // RFC 7828 §3.2.1: a query's edns-tcp-keepalive carries no timeout.
                        guard optionLength == 0 else { return .malformed }
                        keepalive = true
                    }
                    optionOffset += 4 + optionLength
                }
                guard optionOffset == rdataStart + rdataLength else { return .malformed }
                let payload = Int(load16(bytes, afterName + 2))
                edns = EDNSInfo(
                    payloadSize: max(payload, 512), version: bytes[afterName + 5],
                    dnssecOK: bytes[afterName + 6] & 0x80 != 0, keepalive: keepalive)
            }
            offset = rdataStart + rdataLength
        }
        return .wellFormed(edns)
    }

    /// The offset just past a (possibly compressed) name starting at `offset`, or nil when it is
    /// malformed: a pointer or label past the end, or a reserved label type (0x40, 0x80).
    static func skipName(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> Int? {
        var offset = offset
        var length = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte & 0xC0 {
            case 0xC0:
                guard offset + 2 <= bytes.count else { return nil }
                let target = Int(load16(bytes, offset) & 0x3FFF)
                guard target < offset else { return nil }
                return offset + 2
            case 0x00:
                if byte == 0 { return offset + 1 }
                length += Int(byte) + 1
                guard length < 255 else { return nil }
                offset += 1 + Int(byte)
            default:
                return nil
            }
        }
        return nil
    }
}
