import CLDNS

/// A DNS message as libldns reads it, with every record in dig's presentation form. Tests use
/// it to check that what we put on the wire is what a mature DNS library reads back.
package struct LDNSDecodedMessage: Sendable, Hashable {
    package var id: UInt16
    package var opcode: Int
    /// The full RCODE: the header's 4 bits plus the OPT's extended bits.
    package var rcode: Int
    package var qr: Bool
    package var aa: Bool
    package var tc: Bool
    package var rd: Bool
    package var ra: Bool
    package var cd: Bool
    package var question: [String]
    package var answer: [String]
    package var authority: [String]
    package var additional: [String]
    /// The OPT, if any: payload size, version and DO bit.
    package var edns: (payloadSize: Int, version: Int, dnssecOK: Bool)?

    package static func == (lhs: LDNSDecodedMessage, rhs: LDNSDecodedMessage) -> Bool {
        lhs.id == rhs.id && lhs.rcode == rhs.rcode && lhs.answer == rhs.answer && lhs.authority == rhs.authority
            && lhs.additional == rhs.additional && lhs.question == rhs.question
    }

    package func hash(into hasher: inout Hasher) { hasher.combine(self.id) }

    /// Decodes `bytes` with `ldns_wire2pkt`; nil when libldns rejects them.
    package static func decode(_ bytes: [UInt8]) -> LDNSDecodedMessage? {
        var packet: UnsafeMutablePointer<ldns_pkt>?
        let status = bytes.withUnsafeBufferPointer { buffer in
            ldns_wire2pkt(&packet, buffer.baseAddress, buffer.count)
        }
        guard status == LDNS_STATUS_OK, let packet else { return nil }
        defer { ldns_pkt_free(packet) }
        func records(_ list: UnsafeMutablePointer<ldns_rr_list>?) -> [String] {
            guard let list else { return [] }
            return (0..<ldns_rr_list_rr_count(list)).compactMap { index in
                guard let rr = ldns_rr_list_rr(list, index), let text = ldns_rr2str(rr) else { return nil }
                defer { free(text) }
                return Self.compact(String(cString: text))
            }
        }
        var edns: (Int, Int, Bool)?
        if ldns_pkt_edns(packet) {
            edns = (Int(ldns_pkt_edns_udp_size(packet)), Int(ldns_pkt_edns_version(packet)), ldns_pkt_edns_do(packet))
        }
        let extended = edns == nil ? 0 : Int(ldns_pkt_edns_extended_rcode(packet)) << 4
        return LDNSDecodedMessage(
            id: ldns_pkt_id(packet), opcode: Int(ldns_pkt_get_opcode(packet).rawValue),
            rcode: Int(ldns_pkt_get_rcode(packet).rawValue) | extended, qr: ldns_pkt_qr(packet), aa: ldns_pkt_aa(packet),
            tc: ldns_pkt_tc(packet), rd: ldns_pkt_rd(packet), ra: ldns_pkt_ra(packet), cd: ldns_pkt_cd(packet),
            question: records(ldns_pkt_question(packet)), answer: records(ldns_pkt_answer(packet)),
            authority: records(ldns_pkt_authority(packet)), additional: records(ldns_pkt_additional(packet)),
            edns: edns)
    }

    /// `owner.<TAB>ttl<TAB>IN<TAB>TYPE<TAB>rdata` → `owner. ttl TYPE rdata`, one space apart.
    static func compact(_ text: String) -> String {
        var fields = text.split(whereSeparator: { $0 == "\t" || $0 == "\n" }).map(String.init)
        if let classIndex = fields.firstIndex(of: "IN") { fields.remove(at: classIndex) }
        return fields.joined(separator: " ")
    }
}
