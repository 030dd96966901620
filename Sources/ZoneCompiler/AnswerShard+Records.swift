import DNSWire

extension AnswerShard {
    /// The name of `entry` (lower-cased).
    package func name(at entry: Int) -> DomainName {
        DomainName(uncheckedWire: Array(self.namePrefix(at: entry)) + self.suffix)
    }

    /// The entry named `name`, if any.
    package func index(of name: DomainName) -> Int? {
        let wire = name.lowercased.wire
        return wire.withUnsafeBytes { self.find($0, hash: NameHash.hash(wire)) }
    }

    /// The RRsets `entry` owns, read back from its compiled answers: the records that
    /// `dump`, zone transfers and CNAME chains from other units see, exactly what queries get.
    /// An owner with a CNAME owns only that (RFC 1034 §3.6.2); its other answers follow the chain.
    package func rrsets(at entry: Int) -> [(type: RRType, records: [ResourceRecord])] {
        let owner = self.name(at: entry)
        let keys = self.typedDescriptors(of: entry).map { (self.answer(at: $0).type, $0) }
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
        self.entryList.map { entry in (self.zone(at: entry), self.rrsets(at: entry).flatMap(\.records)) }
    }

    /// The answer section of the answer at `descriptor` as records, read as the reply to
    /// `question`/`type`.
    private func answerRecords(_ descriptor: Int, question: DomainName, type: RRType) -> [ResourceRecord] {
        let answer = self.answer(at: descriptor)
        guard answer.answerCount > 0 else { return [] }
        let word = HeaderFlags([.response, .authoritative]).rawValue
        var message: [UInt8] = [0, 0, UInt8(word >> 8), UInt8(truncatingIfNeeded: word), 0, 1]
        for count in [answer.answerCount, answer.authorityCount, answer.additionalCount] {
            message.append(UInt8(count >> 8))
            message.append(UInt8(truncatingIfNeeded: count))
        }
        message += question.wire
        message += [UInt8(type.rawValue >> 8), UInt8(truncatingIfNeeded: type.rawValue), 0, 1]
        message += self.records[answer.bytes]
        guard let parsed = try? MessageParser.parse(message) else { return [] }
        return parsed.answer.map { record in
            let rdata = RData(type: record.type, uncompressed: record.rdata) ?? .opaque(type: record.type, bytes: record.rdata)
            return ResourceRecord(record.owner, ttl: record.ttl, rdata)
        }
    }
}
