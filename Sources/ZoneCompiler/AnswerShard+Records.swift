import DNSWire

extension AnswerShard {
    /// The name of entry `index` (lower-cased).
    package func name(at index: Int) -> DomainName {
        let entry = self.names[index]
        return DomainName(
            uncheckedWire: Array(self.nameBytes[Int(entry.offset)..<(Int(entry.offset) + Int(entry.length))]) + self.suffix)
    }

    /// The zone number of entry `index`.
    package func zone(at index: Int) -> Int { Int(self.names[index].zone) }

    /// The index of the entry named `name`, if any.
    package func index(of name: DomainName) -> Int? {
        let wire = name.lowercased.wire
        return wire.withUnsafeBytes { self.find($0, hash: NameHash.hash(wire)) }
    }

    /// The RRsets entry `index` owns, read back from its compiled answers: the records that
    /// `dump`, zone transfers and CNAME chains from other units see, exactly what queries get.
    /// An owner with a CNAME owns only that (RFC 1034 §3.6.2); its other answers follow the chain.
    package func rrsets(at index: Int) -> [(type: RRType, records: [ResourceRecord])] {
        let entry = self.names[index]
        let owner = self.name(at: index)
        let first = Int(entry.firstAnswer)
        let keys = (first..<(first + Int(entry.typesCount))).map { (self.answerTypes[$0], $0) }
        let owned = keys.contains { $0.0 == RRType.cname.rawValue } ? keys.filter { $0.0 == RRType.cname.rawValue } : keys
        return owned.map { key, answer in
            let type = RRType(rawValue: key)
            let records = self.answerRecords(answer, question: owner, type: type).filter {
                $0.owner == owner && $0.type == type
            }
            return (type, records)
        }
    }

    /// Every record the shard's entries own, entry by entry, with each entry's zone number.
    package func ownedRecords() -> [(zone: Int, records: [ResourceRecord])] {
        (0..<self.count).map { index in (self.zone(at: index), self.rrsets(at: index).flatMap(\.records)) }
    }

    /// The answer section of answer `index` as records, read as the reply to `question`/`type`.
    private func answerRecords(_ index: Int, question: DomainName, type: RRType) -> [ResourceRecord] {
        let answer = self.answers[index]
        guard answer.answerCount > 0 else { return [] }
        let word = HeaderFlags([.response, .authoritative]).rawValue
        var message: [UInt8] = [0, 0, UInt8(word >> 8), UInt8(truncatingIfNeeded: word), 0, 1]
        for count in [answer.answerCount, answer.authorityCount, answer.additionalCount] {
            message.append(UInt8(count >> 8))
            message.append(UInt8(truncatingIfNeeded: count))
        }
        message += question.wire
        message += [UInt8(type.rawValue >> 8), UInt8(truncatingIfNeeded: type.rawValue), 0, 1]
        message += self.bytes[self.byteRange(of: index)]
        guard let parsed = try? MessageParser.parse(message) else { return [] }
        return parsed.answer.map { record in
            let rdata = RData(type: record.type, uncompressed: record.rdata) ?? .opaque(type: record.type, bytes: record.rdata)
            return ResourceRecord(record.owner, ttl: record.ttl, rdata)
        }
    }
}
