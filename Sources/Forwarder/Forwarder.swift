import DNSWire
import Logging
import NIOCore
import NIOPosix

/// Resolves names outside our zones through upstream resolvers, with a cache. UDP first, TCP
/// when the answer is truncated; random query IDs, random source ports and random letter case;
/// replies matched on ID, question and source; further upstreams tried within the timeout; dead
/// upstreams skipped until they recover; identical questions in flight share one fetch; a cap on
/// fetches in flight, shared out fairly between client networks. Only the records that answer the
/// question are kept, with their TTLs made safe, before anything is cached or sent.
///
/// All state lives on one event loop; `resolve` may be called from anywhere.
package final class Forwarder: @unchecked Sendable {
    // Safety: every mutable property is read and written on `eventLoop` only (entry points hop
    // there with `execute`/`submit`, and the upstream channels run on that loop).

    /// One upstream resolver.
    private struct Upstream {
        var address: SocketAddress
        var failures = 0
        var downUntil: NIODeadline?
        var statistics: ForwarderStatistics.Upstream
        /// Whether it echoes the letter case of our questions (`QueryCase`); false once a reply
        /// did not.
        var echoesCase = true
    }

    /// One query sent to one upstream, from a UDP socket of its own: a fresh socket per query
    /// gets a fresh random source port from the kernel (RFC 5452 §9.2), and an ICMP error on it
    /// concerns this query alone (RFC 5452 §4.1 counts on the port to tell queries apart).
    // Safety: touched only on the forwarder's event loop, like the forwarder.
    final class Attempt: @unchecked Sendable {
        let upstream: Int
        let id: UInt16
        /// The question's name as sent, in its random case.
        let name: DomainName
        let query: [UInt8]
        let sent: NIODeadline
        var channel: (any Channel)?
        var failed = false
        /// The fetch it belongs to; nil once that fetch is over.
        var fetch: Fetch?

        init(upstream: Int, id: UInt16, name: DomainName, query: [UInt8], fetch: Fetch) {
            self.upstream = upstream
            self.id = id
            self.name = name
            self.query = query
            self.sent = .now()
            self.fetch = fetch
        }
    }

    /// A question being fetched, with everyone waiting for it.
    // Safety: like the forwarder, touched only on its event loop.
    final class Fetch: @unchecked Sendable {
        let question: ForwardQuestion
        /// Unique and increasing: the fetch's place in `FetchQuota`.
        let serial: UInt64
        /// The client network that asked first, which the fetch counts against.
        let client: ClientPrefix
        var promises: [EventLoopPromise<ForwardedAnswer>] = []
        /// Upstreams in the order they are tried.
        let order: [Int]
        var nextTry = 0
        var attempts: [Attempt] = []
        var staggerTask: Scheduled<Void>?
        var deadlineTask: Scheduled<Void>?
        let deadline: NIODeadline
        var finished = false

        init(question: ForwardQuestion, serial: UInt64, client: ClientPrefix, order: [Int], deadline: NIODeadline) {
            self.question = question
            self.serial = serial
            self.client = client
            self.order = order
            self.deadline = deadline
        }
    }

    package let eventLoop: any EventLoop
    private let configuration: ForwarderConfiguration
    private var upstreams: [Upstream]
    private var cache: ResponseCache
    private var inflight: [ForwardQuestion: Fetch] = [:]
    private var fetches: [UInt64: Fetch] = [:]
    private var quota: FetchQuota
    private var nextSerial: UInt64 = 0
    private var overloaded = 0
    private var servedStale = 0
    /// Questions whose stale answer is being refreshed in the background, one timer each.
    private var staleRefreshes: Set<ForwardQuestion> = []
    private var prefetches = 0
    private var shareEvictions = 0
    private var limitsReached: [ForwarderLimit: Int] = [:]
    private var repairs: [UpstreamRepair: Int] = [:]
    private var log: RateLimitedLog
    private let epoch = NIODeadline.now()

    private init(configuration: ForwarderConfiguration, eventLoop: any EventLoop, logger: Logger) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.upstreams = configuration.upstreams.map { address in
            Upstream(address: address, statistics: ForwarderStatistics.Upstream(address: Self.describe(address)))
        }
        self.cache = Self.emptyCache(configuration)
        self.quota = FetchQuota(capacity: configuration.maximumConcurrent)
        self.log = RateLimitedLog(logger: logger)
    }

    private static func emptyCache(_ configuration: ForwarderConfiguration) -> ResponseCache {
        ResponseCache(
            capacity: configuration.cacheSize, maximumTTL: configuration.cacheMaximumTTL,
            negativeMaximumTTL: configuration.negativeMaximumTTL, byteBudget: configuration.cacheBytes,
            maximumAnswerBytes: configuration.cacheMaximumAnswerBytes, staleWindow: configuration.staleWindow,
            prefetch: configuration.prefetch, ticksPerSecond: 1000)
    }

    /// A forwarder on one loop of `group`. Sockets are opened per query.
    package static func start(
        _ configuration: ForwarderConfiguration, group: any EventLoopGroup,
        logger: Logger = Logger(label: "clusterdns.forwarder")
    ) async throws -> Forwarder {
        Forwarder(configuration: configuration, eventLoop: group.next(), logger: logger)
    }

    /// Fails the questions in flight and closes their sockets.
    package func stop() async {
        try? await self.eventLoop.submit {
            for fetch in Array(self.inflight.values) { self.finish(fetch, with: nil) }
        }.get()
    }

    /// The answer to `question`, asked by a client in `client`: from the cache, or from an
    /// upstream. Fails when no upstream answered usefully within the timeout, or no fetch could
    /// be started for this client (→ SERVFAIL).
    package func resolve(_ question: ForwardQuestion, from client: ClientPrefix = .local) -> EventLoopFuture<ForwardedAnswer> {
        if self.eventLoop.inEventLoop { return self.resolveOnLoop(question, client: client) }
        return self.eventLoop.flatSubmit { self.resolveOnLoop(question, client: client) }
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
            self.overloaded = 0
            self.shareEvictions = 0
            self.limitsReached = [:]
            self.repairs = [:]
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
            statistics.cacheServedStale = self.servedStale
            statistics.cachePrefetches = self.prefetches
            statistics.cacheSuccessEntries = self.cache.count - self.cache.denialCount
            statistics.cacheDenialEntries = self.cache.denialCount
            statistics.cacheBytes = self.cache.bytes
            statistics.cacheSuccessEvictions = self.cache.successEvictions
            statistics.cacheDenialEvictions = self.cache.denialEvictions
            statistics.overloaded = self.overloaded
            statistics.shareEvictions = self.shareEvictions
            for (limit, count) in self.limitsReached { statistics.limitsReached[limit.rawValue] = count }
            for (repair, count) in self.repairs { statistics.repairs[repair.rawValue] = count }
            return statistics
        }
    }

    /// The cache's clock: milliseconds since the forwarder started.
    private var milliseconds: UInt64 { UInt64((NIODeadline.now() - self.epoch).nanoseconds / 1_000_000) }

    private func resolveOnLoop(_ question: ForwardQuestion, client: ClientPrefix) -> EventLoopFuture<ForwardedAnswer> {
        switch self.cache.find(question, now: self.milliseconds) {
        case .fresh(let answer, let prefetch):
            if prefetch, self.inflight[question] == nil {
                // Refreshed in the background: the client has its answer already.
                self.prefetches += 1
                _ = self.fetch(question, client: client)
            }
            return self.eventLoop.makeSucceededFuture(answer)
        case .stale(let answer, recheckPending: true):
            // A refresh failed moments ago (RFC 8767 §5): stale at once, upstreams left alone.
            self.servedStale += 1
            return self.eventLoop.makeSucceededFuture(answer)
        case .stale(let stale, recheckPending: false):
            // Upstream first; if it fails (no answer within --forward-timeout, SERVFAIL, REFUSED),
            // the stale answer (RFC 8767 §4).
            return self.fetch(question, client: client).flatMapError { _ in
                self.eventLoop.makeSucceededFuture(ForwardedAnswer(rcode: ResponseCode.serverFailure.rawValue))
            }.map { answer in
                guard answer.rcode != ResponseCode.noError.rawValue, answer.rcode != ResponseCode.nameError.rawValue
                else { return answer }
                self.servedStale += 1
                self.cache.refreshFailed(question, now: self.milliseconds)
                self.refreshInBackground(question, client: client)
                return stale
            }
        case .miss:
            return self.fetch(question, client: client)
        }
    }

    /// Keeps trying to refresh a stale answer without waiting for a client to ask (RFC 8767
    /// §5): once per `staleRefreshInterval`, while the entry is still inside the stale window.
    private func refreshInBackground(_ question: ForwardQuestion, client: ClientPrefix) {
        guard self.staleRefreshes.insert(question).inserted else { return }
        self.eventLoop.scheduleTask(in: self.configuration.staleRefreshInterval) {
            self.staleRefreshes.remove(question)
            guard self.cache.holdsStale(question, now: self.milliseconds) else { return }
            self.fetch(question, client: client).whenComplete { result in
                if case .success(let answer) = result,
                    answer.rcode == ResponseCode.noError.rawValue || answer.rcode == ResponseCode.nameError.rawValue
                {
                    return  // stored fresh by the fetch
                }
                self.cache.refreshFailed(question, now: self.milliseconds)
                self.refreshInBackground(question, client: client)
            }
        }
    }

    /// Asks the upstreams (sharing a fetch in flight for the same question), within the quota.
    private func fetch(_ question: ForwardQuestion, client: ClientPrefix) -> EventLoopFuture<ForwardedAnswer> {
        let promise = self.eventLoop.makePromise(of: ForwardedAnswer.self)
        if let fetch = self.inflight[question] {
            fetch.promises.append(promise)
            return promise.futureResult
        }
        guard !self.upstreams.isEmpty else {
            promise.fail(ForwarderError.noAnswer)
            return promise.futureResult
        }
        switch self.quota.decide(for: client) {
        case .admit:
            break
        case .admitEvicting(let serial):
            // At the cap, a network below its share takes the busiest network's newest fetch.
            if let victim = self.fetches[serial] {
                self.shareEvictions += 1
                self.reached(.clientShare, ["client": "\(victim.client)", "for": "\(client)"])
                self.finish(victim, with: nil)
            }
        case .refuse:
            self.overloaded += 1
            self.reached(.maxConcurrentForwards, ["client": "\(client)", "in.flight": "\(self.quota.total)"])
            promise.fail(ForwarderError.overloaded)
            return promise.futureResult
        }
        let now = NIODeadline.now()
        let order = self.upstreams.indices.sorted { left, right in
            let leftDown = self.isDown(self.upstreams[left], now: now)
            let rightDown = self.isDown(self.upstreams[right], now: now)
            return leftDown == rightDown ? left < right : !leftDown
        }
        self.nextSerial += 1
        let fetch = Fetch(
            question: question, serial: self.nextSerial, client: client, order: order,
            deadline: now + self.configuration.timeout)
        fetch.promises.append(promise)
        self.inflight[question] = fetch
        self.fetches[fetch.serial] = fetch
        self.quota.add(fetch.serial, for: client)
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
        self.send(fetch, to: upstreamIndex)
        fetch.staggerTask?.cancel()
        if fetch.nextTry < fetch.order.count {
            let share = self.configuration.timeout.nanoseconds / Int64(max(1, fetch.order.count))
            fetch.staggerTask = self.eventLoop.scheduleTask(in: .nanoseconds(share)) {
                self.markFailure(upstreamIndex)
                self.sendNextTry(fetch)
            }
        }
    }

    /// One query to one upstream, from a socket of its own.
    private func send(_ fetch: Fetch, to upstreamIndex: Int) {
        let question = fetch.question
        let name = self.upstreams[upstreamIndex].echoesCase ? QueryCase.randomized(question.name) : question.name
        // AD asks a validating upstream to say whether the data is authentic (RFC 6840 §5.7);
        // what clients see of it is decided per client (`ForwardedReply`).
        let query = QueryBuilder.query(
            name, question.type, id: UInt16.random(in: 0...UInt16.max),
            flags: HeaderFlags.recursionDesired.rawValue | HeaderFlags.authenticData.rawValue
                | (question.checkingDisabled ? HeaderFlags.checkingDisabled.rawValue : 0), qclass: question.qclass,
            payloadSize: self.configuration.payloadSize, dnssecOK: question.dnssecOK)
        let attempt = Attempt(
            upstream: upstreamIndex, id: UInt16(query[0]) << 8 | UInt16(query[1]), name: name, query: query, fetch: fetch)
        fetch.attempts.append(attempt)
        self.upstreams[upstreamIndex].statistics.requests += 1
        let address = self.upstreams[upstreamIndex].address
        DatagramBootstrap(group: self.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpstreamResponseHandler(forwarder: self, attempt: attempt))
                }
            }
            .connect(to: address)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard attempt.fetch?.finished == false else {
                        channel.close(promise: nil)
                        return
                    }
                    attempt.channel = channel
                    var buffer = channel.allocator.buffer(capacity: query.count)
                    buffer.writeBytes(query)
                    let written = channel.eventLoop.makePromise(of: Void.self)
                    written.futureResult.whenFailure { error in
                        // The query never left: this try failed; the upstream is to blame only
                        // when the kernel says it is unreachable.
                        self.attemptFailed(attempt, blamingUpstream: UpstreamResponseHandler.meansUnreachable(error))
                    }
                    channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: written)
                case .failure(let error):
                    // No socket (descriptors used up, say): this try failed, the next may not,
                    // and the upstream is not to blame.
                    self.log.note(
                        "cannot open a socket for an upstream query", event: "socket", metadata: ["error": "\(error)"])
                    self.attemptFailed(attempt, blamingUpstream: false)
                }
            }
    }

    /// A reply arrived on an attempt's socket (connected to its upstream: nothing else arrives).
    func receive(_ bytes: [UInt8], for attempt: Attempt) {
        guard let fetch = attempt.fetch, !fetch.finished, bytes.count >= 12 else { return }
        guard let message = try? MessageParser.parse(bytes), self.isReply(message, to: attempt, of: fetch) else {
            return  // not the answer to our question: a spoof or a stray; keep waiting
        }
        if message.isTruncated {
            // RFC 7766 §5: the same question again over TCP.
            TCPUpstreamQuery.run(
                attempt.query, to: self.upstreams[attempt.upstream].address, on: self.eventLoop, deadline: fetch.deadline
            )
            .whenComplete { result in
                guard case .success(let reply) = result, let parsed = try? MessageParser.parse(reply),
                    self.isReply(parsed, to: attempt, of: fetch), !parsed.isTruncated
                else {
                    self.markFailure(attempt.upstream)
                    self.sendNextTry(fetch)
                    return
                }
                self.accept(parsed, for: fetch, from: attempt)
            }
            return
        }
        self.accept(message, for: fetch, from: attempt)
    }

    /// Whether `message` answers `attempt`: a response with its ID and its question. An upstream
    /// that echoes our letter case must echo it exactly; the first time one does not, the reply
    /// is dropped and the question asked again in lower case (see `QueryCase`).
    private func isReply(_ message: ParsedMessage, to attempt: Attempt, of fetch: Fetch) -> Bool {
        guard message.isResponse, message.id == attempt.id, let question = message.question,
            question.name == fetch.question.name, question.type == fetch.question.type,
            question.qclass == fetch.question.qclass
        else { return false }
        guard self.upstreams[attempt.upstream].echoesCase, !QueryCase.isExactEcho(question.name, of: attempt.name) else {
            return true
        }
        self.upstreams[attempt.upstream].echoesCase = false
        self.repaired(.caseNotEchoed, ["upstream": "\(self.upstreams[attempt.upstream].statistics.address)"])
        if !fetch.finished, attempt.fetch != nil {
            self.send(fetch, to: attempt.upstream)
        }
        return false
    }

    private func accept(_ message: ParsedMessage, for fetch: Fetch, from attempt: Attempt) {
        guard !fetch.finished else { return }
        let upstreamIndex = attempt.upstream
        let rcode = message.rcode
        var statistics = self.upstreams[upstreamIndex].statistics
        statistics.responses[Self.rcodeName(rcode), default: 0] += 1
        let seconds = Double((NIODeadline.now() - attempt.sent).nanoseconds) / 1e9
        statistics.latencySum += seconds
        statistics.latencyCount += 1
        if let bucket = ForwarderStatistics.latencyBounds.firstIndex(where: { seconds <= $0 }) {
            statistics.latencyBuckets[bucket] += 1
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
        // Only what answers the question, with the same TTLs on this first reply as on every
        // cached one.
        let (answer, dropped, changes) = ForwardedAnswer.kept(
            from: message, for: fetch.question, askedAs: attempt.name, policy: self.cache.policy,
            isLocal: self.configuration.isLocal)
        if dropped > 0 {
            self.repaired(.irrelevantRecords, ["qname": "\(fetch.question.name)", "dropped": "\(dropped)"])
        }
        if changes.topBitSet > 0 { self.repaired(.ttlTopBit, ["qname": "\(fetch.question.name)"]) }
        if changes.capped > 0 { self.reached(.cacheMaxTTL, ["qname": "\(fetch.question.name)"]) }
        self.store(fetch.question, answer)
        self.finish(fetch, with: answer)
    }

    /// Caches `answer`, noting the limits that storing it reached.
    private func store(_ question: ForwardQuestion, _ answer: ForwardedAnswer) {
        let before = (self.cache.tooLarge, self.cache.evictionsForCount, self.cache.evictionsForBytes)
        self.cache.store(question, answer, now: self.milliseconds)
        if self.cache.tooLarge > before.0 {
            self.reached(.cacheMaxAnswerBytes, ["qname": "\(question.name)", "bytes": "\(answer.byteCount)"])
        }
        for _ in before.1..<self.cache.evictionsForCount { self.reached(.cacheSize, [:]) }
        for _ in before.2..<self.cache.evictionsForBytes { self.reached(.cacheBytes, ["cache.bytes": "\(self.cache.bytes)"]) }
    }

    /// An attempt's socket reported an error (ICMP port unreachable, or it could not be opened):
    /// that attempt failed, and only the fetch it belongs to moves on at once.
    func attemptFailed(_ attempt: Attempt, blamingUpstream: Bool = true) {
        guard let fetch = attempt.fetch, !fetch.finished, !attempt.failed else { return }
        attempt.failed = true
        if blamingUpstream { self.markFailure(attempt.upstream) }
        if fetch.nextTry < fetch.order.count {
            self.sendNextTry(fetch)
        } else if fetch.attempts.allSatisfy(\.failed) {
            // Every upstream has been tried and none can be reached: fail now.
            self.finish(fetch, with: nil)
        }
    }

    /// An attempt's socket reported an error that is not about the upstream (no memory for a
    /// read, say): noted, and the attempt goes on waiting for its reply.
    func attemptHadSocketError(_ attempt: Attempt, _ error: any Error) {
        guard let fetch = attempt.fetch, !fetch.finished else { return }
        self.log.note(
            "upstream socket error", event: "socket-error",
            metadata: ["error": "\(error)", "upstream": "\(self.upstreams[attempt.upstream].statistics.address)"])
    }

    private func markTryFailed(_ fetch: Fetch) {
        if let last = fetch.attempts.last { self.markFailure(last.upstream) }
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
        for attempt in fetch.attempts {
            attempt.channel?.close(promise: nil)
            attempt.channel = nil
            attempt.fetch = nil
        }
        fetch.attempts = []
        if self.inflight[fetch.question] === fetch { self.inflight.removeValue(forKey: fetch.question) }
        self.fetches.removeValue(forKey: fetch.serial)
        self.quota.remove(fetch.serial)
        for promise in fetch.promises {
            if let answer {
                promise.succeed(answer)
            } else {
                promise.fail(ForwarderError.noAnswer)
            }
        }
    }

    private func reached(_ limit: ForwarderLimit, _ metadata: Logger.Metadata) {
        self.limitsReached[limit, default: 0] += 1
        var all = metadata
        all["flag"] = "\(limit.flag)"
        // Refusing clients is worth a warning; a full cache or a capped TTL is how a cache works.
        let level: Logger.Level = limit == .maxConcurrentForwards || limit == .clientShare ? .warning : .notice
        self.log.note("forwarding limit reached", event: limit.rawValue, level: level, metadata: all)
    }

    private func repaired(_ repair: UpstreamRepair, _ metadata: Logger.Metadata) {
        self.repairs[repair, default: 0] += 1
        self.log.note("upstream reply repaired", event: repair.rawValue, metadata: metadata)
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
