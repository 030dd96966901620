import DNSWire
import Forwarder
import NIOCore
import QueryEngine
import ZoneCompiler

/// The slow path of the query handlers: questions the snapshot cannot answer alone go to the
/// forwarder, and the reply is sent when its answer comes (SERVFAIL if none comes in time).
package struct ForwardingPath: Sendable {
    package let forwarder: Forwarder
    package let settings: ResponderSettings
    package let loopGuard: LoopGuard
    private let gate = ForwardedReplyGate()

    package init(forwarder: Forwarder, settings: ResponderSettings, loopGuard: LoopGuard = LoopGuard()) {
        self.forwarder = forwarder
        self.settings = settings
        self.loopGuard = loopGuard
    }

    /// Forwarded answers owed to clients and not yet sent.
    package var outstanding: Int { self.gate.outstanding }

    /// Stops forwarding before the listeners close their sockets: questions still in flight are
    /// answered SERVFAIL now, while the sockets are open, then no forwarded answer is written
    /// again (a late one is dropped). Returns how many were dropped so far.
    @discardableResult
    package func stop() async -> Int {
        await self.forwarder.stop()
        self.gate.close()
        return self.gate.dropped
    }

    /// Resolves a name outside our zones for a client in `client`; `send` gets the reply bytes.
    func answer(_ request: ClientRequest, from client: ClientPrefix, send: @escaping @Sendable ([UInt8]) -> Void) {
        let send = self.gate.admit(send)
        if self.loopGuard.isProbe(request.name) {
            // Our own loop probe came back: answer at once, so the loop ends here.
            send(ForwardedReply.serverFailure(request, settings: self.settings))
            return
        }
        let question = ForwardQuestion(
            name: request.name, type: request.qtype, qclass: request.qclass == 255 ? 1 : request.qclass,
            dnssecOK: request.edns?.dnssecOK ?? false, checkingDisabled: request.checkingDisabled)
        let settings = self.settings
        self.forwarder.resolve(question, from: client).whenComplete { result in
            switch result {
            case .success(let answer):
                send(
                    ForwardedReply.write(
                        request, rcode: answer.rcode, authenticData: answer.authenticData, answer: answer.answer,
                        authority: answer.authority, settings: settings))
            case .failure:
                send(ForwardedReply.serverFailure(request, settings: settings))
            }
        }
    }

    /// The last step of an autopath walk (`QueryPipeline.autopath`): `target`, outside our zones,
    /// through the forwarder and its cache. An answer (records, or NODATA) is sent behind the
    /// CNAME from the asked name; anything else sends `nameError`, the plain NXDOMAIN, and the
    /// client goes on with its own search.
    func autopath(
        _ request: ClientRequest, target: DomainName, cname: WireRecord, nameError: [UInt8], from client: ClientPrefix,
        send: @escaping @Sendable ([UInt8]) -> Void
    ) {
        let send = self.gate.admit(send)
        let question = ForwardQuestion(
            name: target, type: request.qtype, dnssecOK: request.edns?.dnssecOK ?? false,
            checkingDisabled: request.checkingDisabled)
        let settings = self.settings
        self.forwarder.resolve(question, from: client).whenComplete { result in
            guard case .success(let answer) = result, answer.rcode == ResponseCode.noError.rawValue else {
                send(nameError)
                return
            }
            var records = PackedRRsets([cname])
            records.append(contentsOf: answer.answer)
            send(
                ForwardedReply.write(
                    request, rcode: 0, authenticData: false, answer: records,
                    authority: answer.answer.isEmpty ? answer.authority : PackedRRsets(), settings: settings))
        }
    }

    /// An ExternalName answer whose target is outside our zones: the CNAME chain, followed by the
    /// target's records from the resolver (as CoreDNS does); the CNAME alone, still NOERROR, when
    /// the target does not resolve. With upstream data in it the reply is not authoritative
    /// (`ForwardedReply` never sets AA), and that data is only the target's chain
    /// (`RelevanceFilter`), never records for other names.
    func chase(
        _ request: ClientRequest, chain: ExternalChain, cnameReply: [UInt8], from client: ClientPrefix,
        send: @escaping @Sendable ([UInt8]) -> Void
    ) {
        let send = self.gate.admit(send)
        let question = ForwardQuestion(
            name: chain.target, type: request.qtype, dnssecOK: request.edns?.dnssecOK ?? false,
            checkingDisabled: request.checkingDisabled)
        let settings = self.settings
        self.forwarder.resolve(question, from: client).whenComplete { result in
            guard case .success(let answer) = result, answer.rcode == 0, !answer.answer.isEmpty else {
                send(cnameReply)
                return
            }
            var records = chain.links
            records.append(contentsOf: answer.answer)
            send(
                ForwardedReply.write(
                    request, rcode: 0, authenticData: false, answer: records, settings: settings))
        }
    }
}
