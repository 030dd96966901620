import DNSWire
import Forwarder
import Logging
import NIOCore
import QueryEngine
import ZoneCompiler

/// The one query path every transport hands its messages to (NSD's `query_process`): answer
/// from the snapshot, hold UDP clients to the response rate limit, forward or chase what the
/// snapshot cannot answer alone, apply the transfer policy, and record each query for metrics
/// and the query log from what the responder decided. Transports only move bytes.
package struct QueryPipeline: Sendable {
    let settings: ResponderSettings
    let forwarding: ForwardingPath?
    let recorder: QueryRecorder
    let rateLimiter: ResponseRateLimiter?
    let limits: LimitCounters?
    let transfers: TransferPolicy

    /// `recorder` nil: no metrics and no query log.
    init(
        settings: ResponderSettings, forwarding: ForwardingPath? = nil, recorder: QueryRecorder = .none,
        rateLimiter: ResponseRateLimiter? = nil, limits: LimitCounters? = nil, transfers: TransferPolicy = TransferPolicy()
    ) {
        self.settings = settings
        self.forwarding = forwarding
        self.recorder = recorder
        self.rateLimiter = rateLimiter
        self.limits = limits
        self.transfers = transfers
    }

    /// A pipeline that answers from the snapshot only: no forwarding, metrics or rate limit.
    package init(settings: ResponderSettings, transfers: TransferPolicy = TransferPolicy()) {
        self.init(settings: settings, forwarding: nil, recorder: .none, transfers: transfers)
    }

    /// What the transport does next.
    package enum Next: Sendable, Equatable {
        /// Nothing to send.
        case drop
        /// Send the first `length` bytes of the output.
        case send(length: Int)
        /// The answer comes later, through the `deliver` function the transport gave.
        case pending
        /// Stream this zone (TCP, to a client the transfer policy names).
        case transfer(zone: Int, id: UInt16, question: [UInt8])
    }

    /// Answers `query` from `snapshot` into `output` (which holds
    /// `QueryResponder.outputCapacity(for:settings:)` bytes). A forwarded answer goes to the
    /// function `deliver` makes, which is only asked for when one is needed. `started` is when
    /// the query arrived (read once per batch on the UDP path).
    package func handle(
        _ query: UnsafeRawBufferPointer, over transport: Transport, from client: QueryClient, using snapshot: RecordSnapshot,
        started: NIODeadline, into output: UnsafeMutableRawBufferPointer,
        deliver: () -> @Sendable ([UInt8]) -> Void
    ) -> Next {
        var outcome = QueryResponder.respond(to: query, over: transport, using: snapshot, settings: self.settings, into: output)
        // RFC-less but universal: response rate limiting applies to UDP only (TCP proves the source).
        if transport == .udp, let rateLimiter = self.rateLimiter, outcome.isLimitable {
            let decision = rateLimiter.decide(network: client.rateLimitNetwork, now: started)
            if decision != .answer {
                outcome = outcome.limited(decision, output, forwarding: self.forwarding != nil)
                self.recorder.counters?.recordRateLimited(slipped: decision == .slip)
                self.limits?.log(.responseRate, now: started, metadata: ["client": "\(client.socketAddress?.ipAddress ?? "-")"])
            }
        }
        if self.settings.autopath,
            let next = self.autopath(
                query, over: transport, from: client, using: snapshot, outcome: outcome, started: started, into: output,
                deliver: deliver)
        {
            return next
        }
        switch outcome.action {
        case .drop:
            self.record(outcome, length: 0, query, transport, client, started)
            return .drop
        case .reply(let length):
            self.record(outcome, length: length, query, transport, client, started)
            return .send(length: length)
        case .outOfZone(let length, let request):
            guard let forwarding = self.forwarding else {
                self.record(outcome, length: length, query, transport, client, started)
                return .send(length: length)
            }
            forwarding.answer(
                request, from: client.prefix, send: self.forwarded(outcome.qtype, query, transport, client, started, deliver()))
            return .pending
        case .chase(let length, let chain, let request):
            guard let forwarding = self.forwarding else {
                self.record(outcome, length: length, query, transport, client, started)
                return .send(length: length)
            }
            // The CNAME-only reply stands for the whole if the target does not resolve.
            let reply = Array(UnsafeRawBufferPointer(rebasing: output[0..<length]))
            forwarding.chase(
                request, chain: chain, cnameReply: reply, from: client.prefix,
                send: self.forwarded(outcome.qtype, query, transport, client, started, deliver(), chased: true))
            return .pending
        case .zoneTransfer(let zone, let id, let question, let refusedLength):
            guard transport == .tcp, self.transfers.allows(client.socketAddress) else {
                var refused = outcome
                refused.rcode = UInt16(ResponseCode.refused.rawValue)
                self.record(refused, length: refusedLength, query, transport, client, started)
                return .send(length: refusedLength)
            }
            self.record(outcome, length: 0, query, transport, client, started)
            return .transfer(zone: zone, id: id, question: question)
        }
    }

    /// Records a reply sent now (length 0: nothing sent).
    func record(
        _ outcome: QueryOutcome, length: Int, _ query: UnsafeRawBufferPointer, _ transport: Transport,
        _ client: QueryClient, _ started: NIODeadline, plugin: QueryCounters.Plugin? = nil
    ) {
        guard self.recorder.isRecording else { return }
        self.recorder.record(
            qtype: outcome.qtype, rcode: length > 0 ? outcome.rcode : nil,
            plugin: plugin ?? (length > 0 && outcome.isAuthoritative ? .kubernetes : .none), requestSize: query.count,
            responseSize: length, isIPv6: client.isIPv6, peer: client.socketAddress, tcp: transport == .tcp,
            started: started, name: QuestionName.text(of: query))
    }

    /// The sender of a forwarded (or chased) answer: it records the query, then hands the bytes
    /// to the transport.
    func forwarded(
        _ qtype: UInt16?, _ query: UnsafeRawBufferPointer, _ transport: Transport, _ client: QueryClient, _ started: NIODeadline,
        _ send: @escaping @Sendable ([UInt8]) -> Void, chased: Bool = false, plugin: QueryCounters.Plugin? = nil
    ) -> @Sendable ([UInt8]) -> Void {
        guard self.recorder.isRecording else { return send }
        let recorder = self.recorder
        let requestSize = query.count
        let name = recorder.queryLog == nil ? "" : QuestionName.text(of: query)
        return { bytes in
            recorder.record(
                qtype: qtype, rcode: bytes.count >= 12 ? UInt16(bytes[3] & 0x0F) : nil,
                plugin: plugin ?? (chased ? .kubernetes : .forward),
                requestSize: requestSize, responseSize: bytes.count, isIPv6: client.isIPv6, peer: client.socketAddress,
                tcp: transport == .tcp, started: started, name: name)
            send(bytes)
        }
    }
}
