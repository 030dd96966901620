import ClusterModel
import DNSServer
import DNSWire
import IPAddressing
import Manifests
import NIOCore
import NIOEmbedded
import QueryEngine
import ZoneCompiler
import ZoneFiles

/// The code paths that take bytes from strangers, each with the checks that must hold whatever
/// the bytes: no crash, no hang, and replies that are well-formed DNS. Run by the libFuzzer
/// builds (`make fuzz`) and, over the saved corpus and every crash ever found, by `make test`.
package enum FuzzTargets {
    /// The targets by name.
    package static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "query": Self.query,
        "tcp-frames": Self.tcpFrames,
        "tcp-pipeline": Self.tcpPipeline,
        "manifest": Self.manifest,
        "upstream-reply": Self.upstreamReply,
        "forwarder-cache": Self.forwarderCache,
        "zone-file": Self.zoneFile,
    ]

    /// A snapshot with every kind of record, built once.
    static let snapshot: RecordSnapshot = {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: dev}
            spec: {clusterIP: 10.96.0.5, selector: {app: web}, ports: [{name: http, port: 80}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: db, namespace: dev}
            spec: {clusterIP: None, selector: {app: db}, ports: [{name: pg, port: 5432}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ext, namespace: dev}
            spec: {type: ExternalName, externalName: www.example.com}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: alias, namespace: dev}
            spec: {type: ExternalName, externalName: web.dev.svc.cluster.local}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: dev}
            spec:
              serviceName: db
              replicas: 60
              selector: {matchLabels: {app: db}}
              template: {metadata: {labels: {app: db}}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: dev}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template: {metadata: {labels: {app: web}}}
            """
        let file = ManifestParser.parse(yaml, path: "fuzz.yaml")
        let cluster = ClusterBuilder.derive([file]).cluster
        var options = RecordOptions()
        options.pods = .insecure
        return RecordSnapshot.build(cluster, options: options)
    }()

    /// Query bytes → reply, over UDP and TCP: a reply must parse, echo the ID and fit the limit.
    @Sendable
    package static func query(_ bytes: [UInt8]) {
        for transport in [Transport.udp, .tcp] {
            // Into uninitialised scratch memory, as the listeners answer into buffers they keep: a
            // fresh zeroed 64 KiB array per run made page faults most of the sanitizers' time.
            let result = withUnsafeTemporaryAllocation(byteCount: QueryResponder.maximumMessageSize, alignment: 8) {
                out -> (QueryOutcome, [UInt8]) in
                let outcome = bytes.withUnsafeBytes { input in
                    QueryResponder.respond(to: input, over: transport, using: Self.snapshot, settings: ResponderSettings(), into: out)
                }
                let written = outcome.action.writtenLength
                return (outcome, Array(UnsafeRawBufferPointer(rebasing: out[0..<written])))
            }
            let reply: [UInt8]
            switch result.0.action {
            case .drop:
                continue
            case .zoneTransfer(let zone, let id, let question, _):
                let apex = Self.snapshot.table.zones[zone].name
                guard let transferred = Self.zones.first(where: { $0.apex == apex }) else { continue }
                let messages = ZoneTransfer.messages(of: transferred, id: id, question: question)
                for message in messages { Self.check(message, limit: 65535, id: id) }
                // The REFUSED written for a client the transfer policy does not name.
                reply = result.1
            case .reply, .outOfZone, .chase:
                reply = result.1
            }
            let limit = transport == .tcp ? 65535 : 1232
            let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
            Self.check(reply, limit: limit, id: id)
            if transport == .udp { Self.checkSlip(reply, id: id) }
        }
    }

    /// The truncated reply response rate limiting sends instead (`QueryResponder.slip`): it
    /// parses, echoes the ID, has TC set and no records but the OPT, and is no longer.
    static func checkSlip(_ reply: [UInt8], id: UInt16) {
        var bytes = reply
        let length = bytes.withUnsafeMutableBytes { QueryResponder.slip($0, length: reply.count, outOfZone: false) }
        let slipped = Array(bytes[0..<length])
        Self.check(slipped, limit: reply.count, id: id)
        guard slipped[2] & 0x02 != 0, slipped[6] == 0, slipped[7] == 0, slipped[8] == 0, slipped[9] == 0,
            slipped[10] == 0, slipped[11] <= 1
        else { fatalError("a slipped reply with records or without TC: \(slipped)") }
    }

    /// The snapshot's zones, made once: `RecordSnapshot.zones` generates them anew on each use.
    static let zones: [Zone] = Self.snapshot.zones

    /// The TCP query handler answering from the fuzz snapshot.
    static func tcpHandler(maximumInFlight: Int = 100) -> TCPQueryHandler {
        TCPQueryHandler(
            store: SnapshotStore(Self.snapshot), pipeline: QueryPipeline(settings: ResponderSettings()),
            tcp: TCPSettings(maximumInFlight: maximumInFlight), registry: TCPConnectionRegistry(maximum: 10))
    }

    /// The first byte chooses where frames are split; the rest is the TCP byte stream.
    @Sendable
    package static func tcpFrames(_ bytes: [UInt8]) {
        guard let chunk = bytes.first else { return }
        let stream = Array(bytes.dropFirst())
        let channel = EmbeddedChannel()
        let handler = Self.tcpHandler()
        do {
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            let size = max(1, Int(chunk))
            var offset = 0
            while offset < stream.count, channel.isActive {
                let end = min(stream.count, offset + size)
                try channel.writeInbound(ByteBuffer(bytes: stream[offset..<end]))
                offset = end
            }
            var output: [UInt8] = []
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                output += buffer.readBytes(length: buffer.readableBytes) ?? []
            }
            Self.checkFrames(output)
            _ = try? channel.finish()
        } catch {
            _ = try? channel.finish()
        }
    }

    /// Many pipelined queries on one TCP connection whose client reads only now and then (RFC 7766
    /// §10: the transactions a connection may hold are bounded). The first byte chooses where
    /// the stream is split, the second the in-flight limit (1-8), the third when the client
    /// reads, shuts its side or leaves the channel unwritable; the rest is the byte stream.
    /// Whatever the bytes: never more answers waiting than the limit, every reply one whole
    /// well-formed frame, and after a half-close and the client reading, the connection closed.
    @Sendable
    package static func tcpPipeline(_ bytes: [UInt8]) {
        guard bytes.count >= 3 else { return }
        let chunk = max(1, Int(bytes[0]))
        let limit = 1 + Int(bytes[1] % 8)
        var pattern = bytes[2]
        let stream = Array(bytes.dropFirst(3))
        let channel = EmbeddedChannel()
        let client = HeldWrites()
        do {
            try channel.pipeline.syncOperations.addHandler(client)
            try channel.pipeline.syncOperations.addHandler(
                Self.tcpHandler(maximumInFlight: limit))
            // From outside loopback: zone transfers are refused here (tcp-frames streams them),
            // so each run stays quick enough to try many pipelines.
            try channel.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 1)).wait()
            var offset = 0
            var halfClosed = false
            while offset < stream.count, channel.isActive {
                let end = min(stream.count, offset + chunk)
                try channel.writeInbound(ByteBuffer(bytes: stream[offset..<end]))
                offset = end
                guard client.answersWaiting <= limit else { fatalError("\(client.answersWaiting) answers waiting, limit \(limit)") }
                pattern = pattern &* 5 &+ 1  // a full-period walk through every pattern
                if pattern & 0x03 == 0 { client.release() }
                if pattern & 0x0C == 0 {
                    channel.isWritable.toggle()
                    channel.pipeline.fireChannelWritabilityChanged()
                }
                channel.embeddedEventLoop.run()
            }
            if !channel.isWritable {
                channel.isWritable = true
                channel.pipeline.fireChannelWritabilityChanged()
            }
            if pattern & 0x10 == 0, channel.isActive {
                channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
                halfClosed = true
            }
            // The client reads until nothing more comes: a bounded number of rounds, since each
            // round answers at least one held question.
            var rounds = 0
            while channel.isActive, rounds <= stream.count / 2 + 2 {
                client.release()
                channel.embeddedEventLoop.run()
                guard client.answersWaiting <= limit else { fatalError("\(client.answersWaiting) answers waiting, limit \(limit)") }
                if client.answersWaiting == 0 { break }
                rounds += 1
            }
            client.release()
            channel.embeddedEventLoop.run()
            if halfClosed, channel.isActive, client.answersWaiting == 0 {
                fatalError("after the client shut its side and read every answer, the connection is still open")
            }
            Self.checkFrames(client.received)
            _ = try? channel.finish()
        } catch {
            _ = try? channel.finish()
        }
    }

    /// Every reply is one whole well-formed frame.
    static func checkFrames(_ output: [UInt8]) {
        var position = 0
        while position + 2 <= output.count {
            let length = Int(output[position]) << 8 | Int(output[position + 1])
            guard position + 2 + length <= output.count else { fatalError("a partial frame was written") }
            Self.check(Array(output[(position + 2)..<(position + 2 + length)]), limit: 65535, id: nil)
            position += 2 + length
        }
        guard position == output.count else { fatalError("bytes after the last frame") }
    }

    /// Manifest bytes, as YAML and as JSON, through load, derive and compile: diagnostics, never a crash.
    @Sendable
    package static func manifest(_ bytes: [UInt8]) {
        for path in ["fuzz.yaml", "fuzz.json"] {
            let file = bytes.withUnsafeBytes { ManifestParser.parse($0, path: path) }
            Self.checkLines(file)
            let derivation = ClusterBuilder.derive([file])
            // One small reverse zone keeps each run fast; the records are what is under test.
            var options = RecordOptions()
            options.reverseCIDRs = IPNetwork("10.96.0.0/24").map { [$0] } ?? []
            let snapshot = RecordSnapshot.build(derivation.cluster, options: options)
            _ = snapshot.zoneText()
        }
    }

    /// Every diagnostic names a line: operators are told where, whatever the bytes.
    static func checkLines(_ file: ManifestFile) {
        for diagnostic in file.diagnostics where diagnostic.location.line < 1 {
            fatalError("a diagnostic without a line: \(diagnostic)")
        }
    }

    /// A zone file: read with libldns, checked, laid out beside the cluster, compiled, printed
    /// back, and asked for its apex and a name below it.
    @Sendable
    package static func zoneFile(_ bytes: [UInt8]) {
        for path in ["fuzz/example.test.zone", "fuzz/cluster.local.zone"] {
            let file = bytes.withUnsafeBytes { ZoneFileParser.read($0, path: path) }
            Self.checkLines(file)
            guard let zone = file.zone else {
                if !file.failedToParse || file.diagnostics.isEmpty { fatalError("a file neither served nor refused") }
                continue
            }
            var options = RecordOptions()
            options.reverseCIDRs = IPNetwork("10.96.0.0/24").map { [$0] } ?? []
            // A small cluster to chain into: the zone is what is under test, and runs stay fast.
            let snapshot = RecordSnapshot.build(Self.smallCluster, options: options, zoneFiles: [(path, zone)])
            _ = snapshot.zoneText()
            let apex = DomainName(uncheckedWire: zone.apex)
            for name in [apex, ExternalZones.name(["www"], under: apex) ?? apex] {
                for type in [RRType.a, .soa, .mx, .any] {
                    let query = QueryBuilder.query(name, type, id: 77)
                    let reply = query.withUnsafeBytes { input in
                        withUnsafeTemporaryAllocation(byteCount: QueryResponder.maximumMessageSize, alignment: 8) { out in
                            let outcome = QueryResponder.respond(to: input, over: .tcp, using: snapshot, into: out)
                            return Array(UnsafeRawBufferPointer(rebasing: out[0..<outcome.action.writtenLength]))
                        }
                    }
                    if !reply.isEmpty { Self.check(reply, limit: 65535, id: 77) }
                }
            }
        }
    }

    /// One Service, for zone files' CNAMEs to lead into.
    static let smallCluster = Cluster(
        namespaces: ["dev"],
        services: [ClusterService(namespace: "dev", name: "web", clusterIPs: IPAddress("10.96.0.5").map { [$0] } ?? [])])

    /// An upstream's reply: parsed, and if it parses, written back to a client within its limit.
    @Sendable
    package static func upstreamReply(_ bytes: [UInt8]) {
        guard let message = try? MessageParser.parse(bytes) else { return }
        let question = QueryBuilder.query(DomainName("www.example.test.") ?? .root, .a, id: 9)
        let request = ClientRequest(
            id: 9, flags: 0x0100, question: Array(question[12...]), name: DomainName("www.example.test.") ?? .root,
            qtype: .a, qclass: 1, edns: nil, transport: .udp)
        let reply = ForwardedReply.write(
            request, rcode: message.rcode, answer: PackedRRsets(message.answer), authority: PackedRRsets(message.authority),
            settings: ResponderSettings(recursionAvailable: true))
        Self.check(reply, limit: 512, id: 9)
    }

    /// A reply must parse, fit `limit`, and echo the ID.
    static func check(_ reply: [UInt8], limit: Int, id: UInt16?) {
        guard reply.count <= limit else { fatalError("reply of \(reply.count) bytes over the limit \(limit)") }
        guard reply.count >= 12 else { fatalError("reply shorter than a header") }
        if let id, UInt16(reply[0]) << 8 | UInt16(reply[1]) != id { fatalError("reply ID not echoed") }
        guard reply[2] & 0x80 != 0 else { fatalError("reply without QR") }
        do {
            _ = try MessageParser.parse(reply)
        } catch {
            fatalError("our reply does not parse: \(error) \(reply)")
        }
    }
}
