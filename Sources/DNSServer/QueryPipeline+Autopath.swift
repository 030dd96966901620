import DNSWire
import IPAddressing
import NIOCore
import QueryEngine
import ZoneCompiler

extension QueryPipeline {
    /// `--autopath`, as CoreDNS's: a pod's first search-list expansion (`X.<ns>.svc.<zone>` from a
    /// pod of namespace `<ns>`) that does not exist is answered with the first name of the rest
    /// of its search list that does — `X.svc.<zone>`, `X.<zone>`, then `X` through the forwarder
    /// and its cache — as a CNAME from the asked name followed by that name's records. When none
    /// exists, the NXDOMAIN stands. Clients that are not pods (or pods on their node's network, or
    /// of another namespace) get the plain answer: nil here.
    func autopath(
        _ query: UnsafeRawBufferPointer, over transport: Transport, from client: QueryClient, using snapshot: RecordSnapshot,
        outcome: QueryOutcome, started: NIODeadline, into output: UnsafeMutableRawBufferPointer,
        deliver: () -> @Sendable ([UInt8]) -> Void
    ) -> Next? {
        guard case .reply(let length) = outcome.action, outcome.rcode == ResponseCode.nameError.rawValue,
            let text = client.socketAddress?.ipAddress, let address = IPAddress(text),
            let namespace = snapshot.podNamespaces[address],
            let request = QueryResponder.request(for: query, over: transport),
            let search = AutopathSearch.remainingSearch(for: request.name, zone: snapshot.options.domain),
            search.namespace == namespace
        else { return nil }
        for candidate in search.names {
            let cname = WireRecord(owner: request.name, type: .cname, ttl: snapshot.options.ttl, rdata: candidate.wire)
            guard snapshot.table.zone(containing: candidate) != nil else {
                // Outside our zones: the upstream answers, and the NXDOMAIN stands if it has nothing.
                guard let forwarding = self.forwarding else { return nil }
                let nameError = Array(UnsafeRawBufferPointer(rebasing: output[0..<length]))
                forwarding.autopath(
                    request, target: candidate, cname: cname, nameError: nameError, from: client.prefix,
                    send: self.forwarded(outcome.qtype, query, transport, client, started, deliver(), plugin: .autopath))
                return .pending
            }
            guard let found = Self.localAnswer(candidate, request, snapshot, self.settings) else { continue }
            // SERVFAIL and the like: the plain answer.
            guard found.rcode == ResponseCode.noError.rawValue else { return nil }
            var records = PackedRRsets([cname])
            records.append(contentsOf: found.answer)
            let reply = ForwardedReply.write(
                request, rcode: 0, answer: records, authority: found.answer.isEmpty ? found.authority : PackedRRsets(),
                settings: self.settings)
            guard reply.count <= output.count else { return nil }
            reply.withUnsafeBytes { output.copyMemory(from: $0) }
            var answered = outcome
            answered.rcode = 0
            self.record(answered, length: reply.count, query, transport, client, started, plugin: .autopath)
            return .send(length: reply.count)
        }
        return nil
    }

    /// `name`'s answer from the snapshot for the request's type: nil when it does not exist.
    private static func localAnswer(
        _ name: DomainName, _ request: ClientRequest, _ snapshot: RecordSnapshot, _ settings: ResponderSettings
    ) -> (rcode: UInt16, answer: PackedRRsets, authority: PackedRRsets)? {
        let query = QueryBuilder.query(name, request.qtype, id: 0, flags: HeaderFlags.recursionDesired.rawValue)
        var scratch = [UInt8](repeating: 0, count: QueryResponder.maximumMessageSize)
        let (length, reply) = scratch.withUnsafeMutableBytes { output -> (Int, [UInt8]) in
            let outcome = query.withUnsafeBytes {
                QueryResponder.respond(to: $0, over: .tcp, using: snapshot, settings: settings, into: output)
            }
            let length: Int
            switch outcome.action {
            case .reply(let written), .chase(let written, _, _): length = written
            default: length = 0
            }
            return (length, Array(UnsafeRawBufferPointer(rebasing: output[0..<length])))
        }
        guard length > 0, let message = try? MessageParser.parse(reply) else { return nil }
        if message.rcode == ResponseCode.nameError.rawValue { return nil }
        return (message.rcode, PackedRRsets(message.answer), PackedRRsets(message.authority))
    }
}
