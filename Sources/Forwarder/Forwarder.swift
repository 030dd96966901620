import DNSWire
import NIOCore
import NIOPosix

/// Resolves names outside our zones through upstream resolvers, with a cache. UDP first, TCP
/// when the answer is truncated; random query IDs; replies matched on ID, question and source;
/// further upstreams tried within the timeout; dead upstreams skipped until they recover;
/// identical questions in flight share one fetch; a cap on fetches in flight.
///
/// All state lives on one event loop; `resolve` may be called from anywhere.
package final class Forwarder: @unchecked Sendable {
    // Safety: every mutable property is read and written on `eventLoop` only (entry points hop
    // there with `execute`/`submit`, and the upstream channels run on that loop).

    /// One upstream resolver.
    private struct Upstream {
        var address: SocketAddress
        var channel: (any Channel)?
        var failures = 0
        var downUntil: NIODeadline?
        var statistics: ForwarderStatistics.Upstream
    }

    /// A question being fetched, with everyone waiting for it.
    // Safety: like the forwarder, touched only on its event loop.
    private final class Fetch: @unchecked Sendable {
        let question: ForwardQuestion
        var promises: [EventLoopPromise<ForwardedAnswer>] = []
        /// Upstreams in the order they are tried.
        let order: [Int]
        var nextTry = 0
        /// (upstream, ID) of every try sent, and when.
        var tries: [(upstream: Int, id: UInt16, sent: NIODeadline)] = []
        var staggerTask: Scheduled<Void>?
        var deadlineTask: Scheduled<Void>?
        let deadline: NIODeadline
        var finished = false

        init(question: ForwardQuestion, order: [Int], deadline: NIODeadline) {
            self.question = question
            self.order = order
            self.deadline = deadline
        }
    }

    private struct PendingKey: Hashable {
        var upstream: Int
        var id: UInt16
    }

    package let eventLoop: any EventLoop
    private let configuration: ForwarderConfiguration
    private var upstreams: [Upstream]
    private var cache: ResponseCache
    private var inflight: [ForwardQuestion: Fetch] = [:]
    private var pending: [PendingKey: Fetch] = [:]
    private var overloaded = 0
    private let epoch = NIODeadline.now()

    private init(configuration: ForwarderConfiguration, eventLoop: any EventLoop) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.upstreams = configuration.upstreams.map { address in
            Upstream(address: address, statistics: ForwarderStatistics.Upstream(address: Self.describe(address)))
        }
        self.cache = Self.emptyCache(configuration)
    }

    private static func emptyCache(_ configuration: ForwarderConfiguration) -> ResponseCache {
        ResponseCache(
            capacity: configuration.cacheSize, maximumTTL: configuration.cacheMaximumTTL,
            negativeMaximumTTL: configuration.negativeMaximumTTL)
    }

    /// Opens a UDP socket connected to each upstream, on one loop of `group`.
    package static func start(_ configuration: ForwarderConfiguration, group: any EventLoopGroup) async throws -> Forwarder {
        let eventLoop = group.next()
        let forwarder = Forwarder(configuration: configuration, eventLoop: eventLoop)
        for (index, address) in configuration.upstreams.enumerated() {
            let channel = try await DatagramBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            UpstreamResponseHandler(forwarder: forwarder, upstream: index))
                    }
                }
                .connect(to: address).get()
            try await eventLoop.submit { forwarder.upstreams[index].channel = channel }.get()
        }
        return forwarder
    }

    /// Closes the upstream sockets; questions in flight fail.
    package func stop() async {
        let channels = try? await self.eventLoop.submit { () -> [any Channel] in
            for fetch in self.inflight.values { self.finish(fetch, with: nil) }
            return self.upstreams.compactMap(\.channel)
        }.get()
        for channel in channels ?? [] { try? await channel.close() }
    }

    /// The answer to `question`: from the cache, or from an upstream. Fails when no upstream
    /// answered usefully within the timeout, or too many fetches are in flight (→ SERVFAIL).
    package func resolve(_ question: ForwardQuestion) -> EventLoopFuture<ForwardedAnswer> {
        if self.eventLoop.inEventLoop { return self.resolveOnLoop(question) }
        return self.eventLoop.flatSubmit { self.resolveOnLoop(question) }
    }

    /// Forgets what the start-up loop probe left behind (its counters, cache entry and any
    /// health verdict), so that metrics count clients' questions only.
    package func forgetStartupProbe() async {
        try? await self.eventLoop.submit {
            for index in self.upstreams.indices {
                self.upstreams[index].failures = 0
                self.upstreams[index].downUntil = nil
                self.upstreams[index].statistics = ForwarderStatistics.Upstream(
                    address: self.upstreams[index].statistics.address)
            }
            self.cache = Self.emptyCache(self.configuration)
        }.get()
    }

    /// The counters, read on the loop.
    package func statistics() -> EventLoopFuture<ForwarderStatistics> {
        self.eventLoop.submit {
            var statistics = ForwarderStatistics()
            statistics.upstreams = self.upstreams.map { upstream in
                var counters = upstream.statistics
                counters.healthy = !self.isDown(upstream, now: .now())
                return counters
            }
            statistics.cacheSuccessHits = self.cache.successHits
            statistics.cacheDenialHits = self.cache.denialHits
            statistics.cacheMisses = self.cache.misses
            statistics.cacheSuccessEntries = self.cache.count - self.cache.denialCount
            statistics.cacheDenialEntries = self.cache.denialCount
            statistics.overloaded = self.overloaded
            return statistics
        }
    }

    private var seconds: UInt64 { UInt64((NIODeadline.now() - self.epoch).nanoseconds / 1_000_000_000) }

    private func resolveOnLoop(_ question: ForwardQuestion) -> EventLoopFuture<ForwardedAnswer> {
        if let cached = self.cache.lookup(question, now: self.seconds) {
            return self.eventLoop.makeSucceededFuture(cached)
        }
        let promise = self.eventLoop.makePromise(of: ForwardedAnswer.self)
        if let fetch = self.inflight[question] {
            fetch.promises.append(promise)
            return promise.futureResult
        }
        guard self.inflight.count < self.configuration.maximumConcurrent, !self.upstreams.isEmpty else {
            self.overloaded += 1
            promise.fail(ForwarderError.overloaded)
            return promise.futureResult
        }
        let now = NIODeadline.now()
        let order = self.upstreams.indices.sorted { left, right in
            let leftDown = self.isDown(self.upstreams[left], now: now)
            let rightDown = self.isDown(self.upstreams[right], now: now)
            return leftDown == rightDown ? left < right : !leftDown
        }
        let fetch = Fetch(question: question, order: order, deadline: now + self.configuration.timeout)
        fetch.promises.append(promise)
        self.inflight[question] = fetch
        fetch.deadlineTask = self.eventLoop.scheduleTask(deadline: fetch.deadline) {
            self.markTryFailed(fetch)
            self.finish(fetch, with: nil)
        }
        self.sendNextTry(fetch)
        return promise.futureResult
    }

    private func isDown(_ upstream: Upstream, now: NIODeadline) -> Bool {
        guard let downUntil = upstream.downUntil else { return false }
        return now < downUntil
    }

    /// Sends the question to the next upstream in order, and schedules the one after it: each
    /// gets an equal share of the timeout before the next is asked too.
    private func sendNextTry(_ fetch: Fetch) {
        guard !fetch.finished, fetch.nextTry < fetch.order.count else { return }
        let upstreamIndex = fetch.order[fetch.nextTry]
        fetch.nextTry += 1
        var id = UInt16.random(in: 0...UInt16.max)
        while self.pending[PendingKey(upstream: upstreamIndex, id: id)] != nil { id = UInt16.random(in: 0...UInt16.max) }
        self.pending[PendingKey(upstream: upstreamIndex, id: id)] = fetch
        fetch.tries.append((upstreamIndex, id, .now()))
        let question = fetch.question
        let query = QueryBuilder.query(
            question.name, question.type, id: id, flags: 0x0100 | (question.checkingDisabled ? 0x0010 : 0),
            qclass: question.qclass, payloadSize: self.configuration.payloadSize, dnssecOK: question.dnssecOK)
        self.upstreams[upstreamIndex].statistics.requests += 1
        if let channel = self.upstreams[upstreamIndex].channel {
            var buffer = channel.allocator.buffer(capacity: query.count)
            buffer.writeBytes(query)
            channel.writeAndFlush(
                AddressedEnvelope(remoteAddress: self.upstreams[upstreamIndex].address, data: buffer), promise: nil)
        }
        fetch.staggerTask?.cancel()
        if fetch.nextTry < fetch.order.count {
            let share = self.configuration.timeout.nanoseconds / Int64(max(1, fetch.order.count))
            fetch.staggerTask = self.eventLoop.scheduleTask(in: .nanoseconds(share)) {
                self.markFailure(upstreamIndex)
                self.sendNextTry(fetch)
            }
        }
    }

    /// A reply arrived on an upstream's socket.
    func receive(_ bytes: [UInt8], from upstreamIndex: Int) {
        guard bytes.count >= 12 else { return }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let key = PendingKey(upstream: upstreamIndex, id: id)
        guard let fetch = self.pending[key], !fetch.finished else { return }
        guard let message = try? MessageParser.parse(bytes), message.isResponse,
            let question = message.question, question.name == fetch.question.name,
            question.type == fetch.question.type, question.qclass == fetch.question.qclass
        else {
            return  // not the answer to our question: a spoof or a stray; keep waiting
        }
        if message.isTruncated {
            // RFC 7766 §5: the same question again over TCP.
            let query = QueryBuilder.query(
                fetch.question.name, fetch.question.type, id: id, flags: 0x0100 | (fetch.question.checkingDisabled ? 0x0010 : 0),
                qclass: fetch.question.qclass, payloadSize: self.configuration.payloadSize, dnssecOK: fetch.question.dnssecOK)
            TCPUpstreamQuery.run(query, to: self.upstreams[upstreamIndex].address, on: self.eventLoop, deadline: fetch.deadline)
                .whenComplete { result in
                    guard case .success(let reply) = result, let parsed = try? MessageParser.parse(reply),
                        parsed.id == id, parsed.question?.name == fetch.question.name
                    else {
                        self.markFailure(upstreamIndex)
                        self.sendNextTry(fetch)
                        return
                    }
                    self.accept(parsed, for: fetch, from: upstreamIndex, id: id)
                }
            return
        }
        self.accept(message, for: fetch, from: upstreamIndex, id: id)
    }

    private func accept(_ message: ParsedMessage, for fetch: Fetch, from upstreamIndex: Int, id: UInt16) {
        guard !fetch.finished else { return }
        let rcode = message.rcode
        var statistics = self.upstreams[upstreamIndex].statistics
        statistics.responses[Self.rcodeName(rcode), default: 0] += 1
        if let sent = fetch.tries.first(where: { $0.upstream == upstreamIndex && $0.id == id })?.sent {
            let seconds = Double((NIODeadline.now() - sent).nanoseconds) / 1e9
            statistics.latencySum += seconds
            statistics.latencyCount += 1
            if let bucket = ForwarderStatistics.latencyBounds.firstIndex(where: { seconds <= $0 }) {
                statistics.latencyBuckets[bucket] += 1
            }
        }
        self.upstreams[upstreamIndex].statistics = statistics
        // Any answer shows the upstream is up: health tracks reachability only, as CoreDNS's
        // forward does, so one REFUSED for a zone it does not serve does not demote it.
        self.upstreams[upstreamIndex].failures = 0
        self.upstreams[upstreamIndex].downUntil = nil
        // SERVFAIL, REFUSED, NOTIMP, FORMERR: this upstream could not help; ask the next.
        if rcode != 0, rcode != 3 {
            self.upstreams[upstreamIndex].statistics.errors += 1
            if fetch.nextTry < fetch.order.count {
                self.sendNextTry(fetch)
                return
            }
        }
        let answer = ForwardedAnswer(
            rcode: rcode, authenticData: message.flags & 0x0020 != 0,
            answer: message.answer.filter { $0.rrclass == fetch.question.qclass || fetch.question.qclass == 255 },
            authority: message.authority, additional: message.additional)
        if rcode == 0 || rcode == 3 { self.cache.store(fetch.question, answer, now: self.seconds) }
        self.finish(fetch, with: answer)
    }

    /// The upstream's socket reported an error (ICMP port unreachable): move on at once.
    func upstreamFailed(_ upstreamIndex: Int) {
        self.markFailure(upstreamIndex)
        for fetch in self.inflight.values where fetch.tries.last?.upstream == upstreamIndex {
            if fetch.nextTry < fetch.order.count {
                self.sendNextTry(fetch)
            } else if fetch.tries.count == fetch.order.count {
                // Every upstream has been tried and the last one is unreachable: fail now.
                self.finish(fetch, with: nil)
            }
        }
    }

    private func markTryFailed(_ fetch: Fetch) {
        if let last = fetch.tries.last { self.markFailure(last.upstream) }
    }

    /// One more failure: the upstream is skipped for 1 s, doubling up to 30 s, until it answers.
    private func markFailure(_ upstreamIndex: Int) {
        self.upstreams[upstreamIndex].failures += 1
        self.upstreams[upstreamIndex].statistics.errors += 1
        let exponent = min(self.upstreams[upstreamIndex].failures - 1, 5)
        self.upstreams[upstreamIndex].downUntil = .now() + .seconds(Int64(min(30, 1 << exponent)))
    }

    private func finish(_ fetch: Fetch, with answer: ForwardedAnswer?) {
        guard !fetch.finished else { return }
        fetch.finished = true
        fetch.staggerTask?.cancel()
        fetch.deadlineTask?.cancel()
        for attempt in fetch.tries { self.pending.removeValue(forKey: PendingKey(upstream: attempt.upstream, id: attempt.id)) }
        if self.inflight[fetch.question] === fetch { self.inflight.removeValue(forKey: fetch.question) }
        for promise in fetch.promises {
            if let answer {
                promise.succeed(answer)
            } else {
                promise.fail(ForwarderError.noAnswer)
            }
        }
    }

    static func rcodeName(_ rcode: UInt16) -> String {
        ResponseCode(rawValue: rcode)?.description ?? "RCODE\(rcode)"
    }

    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

/// Why a question got no upstream answer (the client gets SERVFAIL).
package enum ForwarderError: Error, Sendable {
    case noAnswer
    case overloaded
}
