/// Writes every reply ClusterDNS sends, into caller-owned memory, allocation-free: the header
/// (which query bits are echoed, RFC 1035 §4.1.1), the question as the client spelled it, the
/// record sections cut at RRset boundaries to fit the size limit (RFC 2181 §9), and our OPT
/// (RFC 6891 §6.1.2, with edns-tcp-keepalive, RFC 7828 §3.3.2). Compiled answers, forwarded
/// answers, zone transfers and every error reply go through it, so these rules live here only.
package struct ReplyWriter {
    package let output: UnsafeMutableRawBufferPointer
    /// Bytes written so far.
    package private(set) var length = 12
    private var word: UInt16
    private let id: UInt16
    private var questions: UInt16 = 0
    private var answers: UInt16 = 0
    private var authorities: UInt16 = 0
    private var additionals: UInt16 = 0

    /// Starts a reply to a query with header `id` and second word `queryWord`. The reply has QR
    /// and the query's opcode; for a standard query it copies RD and CD (RD is defined for QUERY
    /// only); then `flags` and the low four bits of `rcode` (the rest go in the OPT).
    package init(into output: UnsafeMutableRawBufferPointer, id: UInt16, queryWord: UInt16, rcode: ResponseCode, flags: HeaderFlags)
    {
        self.init(into: output, id: id, queryWord: queryWord, rcodeValue: rcode.rawValue, flags: flags)
    }

    /// The same with the RCODE as a number (an upstream's, which may be any of the twelve bits).
    package init(into output: UnsafeMutableRawBufferPointer, id: UInt16, queryWord: UInt16, rcodeValue rcode: UInt16, flags: HeaderFlags)
    {
        self.output = output
        self.id = id
        var word = HeaderFlags.response.rawValue | (queryWord & 0x7800)
        if HeaderFlags.opcode(of: queryWord) == HeaderFlags.queryOpcode {
            word |= queryWord & (HeaderFlags.recursionDesired.rawValue | HeaderFlags.checkingDisabled.rawValue)
        }
        self.word = word | flags.rawValue | (rcode & 0xF)
    }

    /// Additional records written so far.
    package var additionalCount: UInt16 { self.additionals }

    /// The flag bits now set.
    package var flags: HeaderFlags { HeaderFlags(rawValue: self.word & 0x87F0) }

    package mutating func insert(_ flags: HeaderFlags) { self.word |= flags.rawValue }

    /// The question, copied as the client sent it (its spelling is the reply's, RFC 4343 §4).
    package mutating func echoQuestion(_ question: UnsafeRawBufferPointer) {
        self.copy(question)
        self.questions = 1
    }

    /// Record sections already in wire form (their names compressed against the question at
    /// offset 12), with the places before their end where they may be cut (the end itself is
    /// always one, and need not be listed). Keeps the longest run of whole RRsets that
    /// leaves `reserve` bytes free below `limit`; dropping answer or authority data sets TC,
    /// dropping only additional data does not (RFC 2181 §9). Returns whether everything fit.
    @discardableResult
    package mutating func appendSections(
        _ bytes: UnsafeRawBufferPointer, counts: (answer: UInt16, authority: UInt16, additional: UInt16),
        cuts: UnsafeBufferPointer<CutPoint>, limit: Int, reserve: Int = 0
    ) -> Bool {
        var end = bytes.count
        var kept = counts
        if self.length + end + reserve > limit {
            end = 0
            kept = (0, 0, 0)
            for cut in cuts {
                guard self.length + Int(cut.end) + reserve <= limit else { break }
                end = Int(cut.end)
                kept = (cut.answerCount, cut.authorityCount, cut.additionalCount)
            }
            if kept.answer != counts.answer || kept.authority != counts.authority { self.insert(.truncated) }
        }
        self.copy(UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
        self.answers &+= kept.answer
        self.authorities &+= kept.authority
        self.additionals &+= kept.additional
        return end == bytes.count
    }

    /// Records for the authority section (a zone's SOA), written whole.
    package mutating func appendAuthority(_ bytes: UnsafeRawBufferPointer, count: UInt16) {
        self.copy(bytes)
        self.authorities &+= count
    }

    /// One answer record owned by the question's name (a pointer to offset 12).
    package mutating func appendAnswer(type: UInt16, ttl: UInt32, rdata: [UInt8]) {
        self.store16(0xC00C)
        self.store16(type)
        self.store16(1)
        self.store16(UInt16(truncatingIfNeeded: ttl >> 16))
        self.store16(UInt16(truncatingIfNeeded: ttl))
        self.store16(UInt16(truncatingIfNeeded: rdata.count))
        for byte in rdata {
            self.output[self.length] = byte
            self.length += 1
        }
        self.answers &+= 1
    }

    /// Our OPT, last in the additional section.
    package mutating func appendOPT(_ opt: ReplyOPT) {
        self.output[self.length] = 0  // root owner
        self.length += 1
        self.store16(41)
        self.store16(opt.payloadSize)
        self.output[self.length] = opt.extendedRcode
        self.output[self.length + 1] = 0  // version
        self.output[self.length + 2] = opt.dnssecOK ? 0x80 : 0
        self.output[self.length + 3] = 0
        self.length += 4
        if let timeout = opt.keepaliveTimeout {
            self.store16(6)
            self.store16(11)  // edns-tcp-keepalive
            self.store16(2)
            self.store16(timeout)
        } else {
            self.store16(0)
        }
        self.additionals &+= 1
    }

    /// Writes the header and returns the reply's length.
    package func finish() -> Int {
        var header = self
        header.length = 0
        header.store16(self.id)
        header.store16(self.word)
        header.store16(self.questions)
        header.store16(self.answers)
        header.store16(self.authorities)
        header.store16(self.additionals)
        return self.length
    }

    private mutating func copy(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        UnsafeMutableRawBufferPointer(rebasing: self.output[self.length..<(self.length + bytes.count)]).copyMemory(from: bytes)
        self.length += bytes.count
    }

    @inline(__always)
    private mutating func store16(_ value: UInt16) {
        self.output[self.length] = UInt8(value >> 8)
        self.output[self.length + 1] = UInt8(truncatingIfNeeded: value)
        self.length += 2
    }
}
