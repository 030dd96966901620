import QueryEngine

extension QueryOutcome {
    /// Whether a response goes out for this outcome, now or once the forwarder answers: what
    /// the response rate limit counts. Dropped queries cost the client nothing.
    var isLimitable: Bool {
        switch self.action {
        case .reply, .outOfZone, .chase: true
        case .drop, .zoneTransfer: false
        }
    }

    /// The outcome over the rate limit: the slipped reply, rewritten in `output` (where `respond`
    /// wrote this one), or nothing. A slipped question is never forwarded: the client asks again
    /// over TCP. `forwarding` says whether an out-of-zone REFUSED stands in for a forwarded answer.
    func limited(
        _ decision: ResponseRateLimiter.Decision, _ output: UnsafeMutableRawBufferPointer, forwarding: Bool
    ) -> QueryOutcome {
        var limited = self
        switch decision {
        case .answer:
            return self
        case .drop:
            limited.action = .drop
            limited.rcode = nil
        case .slip:
            switch self.action {
            case .reply(let length), .chase(let length, _, _):
                limited.action = .reply(length: QueryResponder.slip(output, length: length, outOfZone: false))
            case .outOfZone(let length, _):
                limited.action = .reply(length: QueryResponder.slip(output, length: length, outOfZone: forwarding))
                limited.rcode = UInt16(output[3] & 0x0F)
            case .drop, .zoneTransfer:
                return self
            }
        }
        return limited
    }
}
