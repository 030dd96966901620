import DNSWire
import ZoneCompiler

/// What the query path decided for one message, and what metrics and the query log need to
/// know of it (read from the reply just written, never parsed again).
package struct QueryOutcome: Sendable, Equatable {
    /// What to do with the message.
    package enum Action: Sendable, Equatable {
        /// Say nothing: shorter than a header, or a response (QR=1).
        case drop
        /// A reply of this many bytes was written to the output buffer.
        case reply(length: Int)
        /// A zone transfer (AXFR/IXFR over TCP) of the zone with this number; the transport
        /// streams it to a client `--transfer-allow` names. `question` is the query's question
        /// section, echoed in the first message. The bytes written are the REFUSED reply for any
        /// other client.
        case zoneTransfer(zone: Int, id: UInt16, question: [UInt8], refusedLength: Int)
        /// The name is outside our zones: a resolver should answer it. The bytes written are the
        /// REFUSED reply to send when there is none.
        case outOfZone(refusedLength: Int, request: ClientRequest)
        /// An A/AAAA question answered with a CNAME to a name outside our zones (ExternalName): the
        /// bytes written are the CNAME-only reply; a resolver may add the target's records to the
        /// chain's links.
        case chase(length: Int, chain: ExternalChain, request: ClientRequest)

        /// How many bytes of reply were written (0: none).
        package var writtenLength: Int {
            switch self {
            case .drop: 0
            case .reply(let length), .outOfZone(let length, _), .chase(let length, _, _): length
            case .zoneTransfer(_, _, _, let length): length
            }
        }
    }

    package var action: Action
    /// The question's type; nil when the question could not be read.
    package var qtype: UInt16?
    /// The RCODE of the reply written (its header's four bits); nil when none was.
    package var rcode: UInt16?
    /// Whether the reply written is authoritative (AA: answered from our zones).
    package var isAuthoritative: Bool

    package init(_ action: Action, qtype: UInt16? = nil, rcode: UInt16? = nil, isAuthoritative: Bool = false) {
        self.action = action
        self.qtype = qtype
        self.rcode = rcode
        self.isAuthoritative = isAuthoritative
    }

    /// `action`, with the facts read from the header of the reply it wrote into `output`.
    package init(_ action: Action, qtype: UInt16?, written output: UnsafeMutableRawBufferPointer) {
        let length = action.writtenLength
        self.action = action
        self.qtype = qtype
        self.rcode = length >= 12 ? UInt16(output[3] & 0x0F) : nil
        self.isAuthoritative = length >= 12 && output[2] & 0x04 != 0
    }

    package static let drop = QueryOutcome(.drop)
}
