import DNSWire

extension QueryResponder {
    /// What a rate-limited client gets in place of every second answer (response rate limiting's
    /// "slip", as NSD and Knot send it): the reply's header and question with TC set and no
    /// records, keeping the OPT when there was one (RFC 6891 §7: a query with an OPT gets one
    /// back). A real resolver retries over TCP (RFC 1035 §4.2.1, RFC 7766 §5), which is never
    /// limited; a victim whose address was forged gets a reply no larger than the query.
    ///
    /// `reply` holds `length` bytes written by `respond`; they are rewritten in place and the new
    /// length returned. `outOfZone` replies (the REFUSED that stands in for a forwarded answer)
    /// become NOERROR, since the real answer is not known.
    package static func slip(_ reply: UnsafeMutableRawBufferPointer, length: Int, outOfZone: Bool) -> Int {
        guard length >= 12, length <= reply.count else { return length }
        let bytes = UnsafeRawBufferPointer(reply)
        let questionCount = Int(QueryParser.load16(bytes, 4))
        let recordCount =
            Int(QueryParser.load16(bytes, 6)) + Int(QueryParser.load16(bytes, 8)) + Int(QueryParser.load16(bytes, 10))
        var offset = 12
        for _ in 0..<questionCount {
            guard let end = Self.nameEnd(bytes, from: offset, length: length), end + 4 <= length else {
                return Self.headerOnly(reply, outOfZone: outOfZone)
            }
            offset = end + 4
        }
        let questionEnd = offset
        // Our writer puts the OPT last, but walk the records rather than trust that.
        var opt: Range<Int>?
        for _ in 0..<recordCount {
            let start = offset
            guard let end = Self.nameEnd(bytes, from: offset, length: length), end + 10 <= length else { break }
            let dataLength = Int(QueryParser.load16(bytes, end + 8))
            guard end + 10 + dataLength <= length else { break }
            if QueryParser.load16(bytes, end) == 41 { opt = start..<(end + 10 + dataLength) }
            offset = end + 10 + dataLength
        }
        var newLength = questionEnd
        if let opt {
            UnsafeMutableRawBufferPointer(rebasing: reply[questionEnd..<(questionEnd + opt.count)]).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: bytes[opt]))
            newLength += opt.count
        }
        Self.markTruncated(reply, outOfZone: outOfZone)
        Self.store16(UInt16(questionCount), reply, 4)
        Self.store16(opt == nil ? 0 : 1, reply, 10)
        return newLength
    }

    private static func headerOnly(_ reply: UnsafeMutableRawBufferPointer, outOfZone: Bool) -> Int {
        Self.markTruncated(reply, outOfZone: outOfZone)
        Self.store16(0, reply, 4)
        Self.store16(0, reply, 10)
        return 12
    }

    /// TC set, no answer or authority records; NOERROR in place of an out-of-zone REFUSED.
    private static func markTruncated(_ reply: UnsafeMutableRawBufferPointer, outOfZone: Bool) {
        reply[2] |= UInt8(HeaderFlags.truncated.rawValue >> 8)
        if outOfZone { reply[3] &= 0xF0 }
        Self.store16(0, reply, 6)
        Self.store16(0, reply, 8)
    }

    /// The offset just past the name at `offset`: its labels up to the root, or a compression
    /// pointer. Nil when the name runs past `length`.
    private static func nameEnd(_ bytes: UnsafeRawBufferPointer, from offset: Int, length: Int) -> Int? {
        var position = offset
        while position < length {
            let byte = bytes[position]
            if byte == 0 { return position + 1 }
            if byte & 0xC0 == 0xC0 { return position + 2 <= length ? position + 2 : nil }
            guard byte & 0xC0 == 0 else { return nil }
            position += 1 + Int(byte)
        }
        return nil
    }

    @inline(__always)
    private static func store16(_ value: UInt16, _ output: UnsafeMutableRawBufferPointer, _ offset: Int) {
        output[offset] = UInt8(value >> 8)
        output[offset + 1] = UInt8(truncatingIfNeeded: value)
    }
}
