/// Reads whole DNS messages (RFC 1035 §4.1), following compression pointers (§4.1.4) only
/// backwards, so that loops and forward references fail. Used for upstream replies.
package enum MessageParser {
    /// Why a message could not be read.
    package enum Failure: Error, Sendable, Equatable {
        case tooShort
        case badName(offset: Int)
        case truncatedRecord(offset: Int)
        case tooManyQuestions(Int)
    }

    /// Types whose rdata holds names that may be compressed (RFC 3597 §4: the RFC 1035 types,
    /// and those that some servers compress anyway).
    static let namesInRdata: [UInt16: [RdataPart]] = [
        2: [.name], 3: [.name], 4: [.name], 5: [.name], 7: [.name], 8: [.name], 9: [.name], 12: [.name],
        6: [.name, .name, .fixed(20)], 14: [.name, .name], 15: [.fixed(2), .name], 17: [.name, .name],
        18: [.fixed(2), .name], 21: [.fixed(2), .name], 26: [.fixed(2), .name, .name], 33: [.fixed(6), .name],
    ]

    enum RdataPart {
        case name
        case fixed(Int)
    }

    package static func parse(_ bytes: [UInt8]) throws(Failure) -> ParsedMessage {
        let result: Result<ParsedMessage, Failure> = bytes.withUnsafeBytes { buffer in
            do throws(Failure) {
                return .success(try Self.parse(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    package static func parse(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> ParsedMessage {
        guard bytes.count >= 12 else { throw .tooShort }
        func u16(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }
        let counts = [u16(4), u16(6), u16(8), u16(10)]
        guard counts[0] <= 1 else { throw .tooManyQuestions(Int(counts[0])) }
        var message = ParsedMessage(id: u16(0), flags: u16(2), question: nil, answer: [], authority: [], additional: [])
        var offset = 12
        if counts[0] == 1 {
            let (name, next) = try Self.readName(bytes, at: offset)
            guard next + 4 <= bytes.count else { throw .truncatedRecord(offset: offset) }
            message.question = (name, RRType(rawValue: u16(next)), u16(next + 2))
            offset = next + 4
        }
        for section in 1...3 {
            for _ in 0..<counts[section] {
                let start = offset
                let (owner, afterName) = try Self.readName(bytes, at: offset)
                guard afterName + 10 <= bytes.count else { throw .truncatedRecord(offset: start) }
                let type = u16(afterName)
                let rrclass = u16(afterName + 2)
                let ttl = UInt32(u16(afterName + 4)) << 16 | UInt32(u16(afterName + 6))
                let length = Int(u16(afterName + 8))
                let rdataStart = afterName + 10
                guard rdataStart + length <= bytes.count else { throw .truncatedRecord(offset: start) }
                offset = rdataStart + length
                if type == 41, section == 3 {
                    message.edns = (rrclass, UInt8(ttl >> 24), UInt8((ttl >> 16) & 0xFF), UInt16(ttl & 0xFFFF))
                    continue
                }
                let rdata = try Self.rdata(bytes, type: type, start: rdataStart, length: length)
                let record = WireRecord(owner: owner, type: RRType(rawValue: type), rrclass: rrclass, ttl: ttl, rdata: rdata)
                switch section {
                case 1: message.answer.append(record)
                case 2: message.authority.append(record)
                default: message.additional.append(record)
                }
            }
        }
        return message
    }

    /// The rdata of a record, names decompressed for the types that may hold compressed names.
    private static func rdata(
        _ bytes: UnsafeRawBufferPointer, type: UInt16, start: Int, length: Int
    ) throws(Failure) -> [UInt8] {
        guard let parts = Self.namesInRdata[type] else { return Array(bytes[start..<(start + length)]) }
        var result: [UInt8] = []
        var offset = start
        let end = start + length
        for part in parts {
            switch part {
            case .name:
                let (name, next) = try Self.readName(bytes, at: offset)
                guard next <= end else { throw .truncatedRecord(offset: start) }
                result += name.wire
                offset = next
            case .fixed(let count):
                guard offset + count <= end else { throw .truncatedRecord(offset: start) }
                result += bytes[offset..<(offset + count)]
                offset += count
            }
        }
        // Anything after the known parts (there should be none) is kept as is.
        if offset < end { result += bytes[offset..<end] }
        return result
    }

    /// A (possibly compressed) name at `offset`: the name, and the offset just past it in the
    /// message. Pointers must point backwards; the name must fit 255 octets.
    package static func readName(_ bytes: UnsafeRawBufferPointer, at start: Int) throws(Failure) -> (DomainName, Int) {
        var wire: [UInt8] = []
        var offset = start
        var end: Int?
        var lowestJump = start
        while true {
            guard offset < bytes.count else { throw .badName(offset: start) }
            let length = bytes[offset]
            switch length & 0xC0 {
            case 0xC0:
                guard offset + 1 < bytes.count else { throw .badName(offset: start) }
                let target = Int(UInt16(length & 0x3F) << 8 | UInt16(bytes[offset + 1]))
                guard target < lowestJump else { throw .badName(offset: start) }
                if end == nil { end = offset + 2 }
                lowestJump = target
                offset = target
            case 0x00:
                if length == 0 {
                    wire.append(0)
                    guard wire.count <= 255 else { throw .badName(offset: start) }
                    return (DomainName(uncheckedWire: wire), end ?? offset + 1)
                }
                let count = Int(length)
                guard offset + 1 + count <= bytes.count, wire.count + 1 + count < 255 else {
                    throw .badName(offset: start)
                }
                wire.append(length)
                wire += bytes[(offset + 1)...(offset + count)]
                offset += 1 + count
            default:
                throw .badName(offset: start)
            }
        }
    }
}
