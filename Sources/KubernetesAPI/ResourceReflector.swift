import CMalloc
import Logging
import Manifests

/// Keeps one resource of the store in step with the API server, as client-go's reflector does:
/// list (in pages of 500, following `continue`), then watch from the list's resourceVersion with
/// bookmarks; re-watch at once from the last resourceVersion seen when a watch ends; list again
/// on 410 Gone (HTTP status or ERROR event), on an expired continue token, and every
/// `relistInterval` as a safety net. A list replaces the resource's objects in one step, only
/// once complete, so a half-listed cluster is never published. Errors back off (`Backoff`).
struct ResourceReflector: Sendable {
    let resource: APIResource
    let client: APIClient
    let store: ClusterObjectStore
    let relistInterval: Duration
    let logger: Logger
    let metrics: SourceMetrics
    let activity: SourceActivity

    private var decoder: APIPayloadDecoder { APIPayloadDecoder(self.resource) }

    /// Objects per list page, as client-go asks.
    static let pageSize = 500
    /// The most one list page or watch event may take in memory.
    static let maximumPage = 512 << 20
    static let maximumEvent = 16 << 20

    /// Runs until the task is cancelled.
    func run() async {
        var resourceVersion: String?
        var listedAt = ContinuousClock.now
        var backoff = Backoff()
        var listedOnce = false
        while !Task.isCancelled {
            if resourceVersion == nil || ContinuousClock.now - listedAt >= self.relistInterval {
                do {
                    if listedOnce { self.metrics.relisted(self.resource) }
                    resourceVersion = try await self.list()
                    if listedOnce {
                        // The replaced state is freed all at once; give its pages back now.
                        _ = cmalloc_return_free_pages()
                    }
                    listedOnce = true
                    listedAt = .now
                    backoff.reset()
                    self.metrics.synced(self.resource, true)
                    self.activity.heard(self.resource)
                } catch {
                    if Task.isCancelled { return }
                    self.metrics.failure(self.resource, "list")
                    let delay = backoff.delay(retryAfter: (error as? APIError)?.retryAfter)
                    self.logger.warning(
                        "listing \(self.resource.rawValue) failed; retrying",
                        metadata: ["error": "\(error)", "retry.ms": "\(delay.milliseconds)"])
                    try? await Task.sleep(for: delay)
                    continue
                }
            }
            guard let from = resourceVersion else { continue }
            let started = ContinuousClock.now
            var seen = 0
            var last = from
            do {
                // The watch ends by the next relist at the latest.
                let untilRelist = self.relistInterval - (ContinuousClock.now - listedAt)
                try await self.watch(
                    from: from, atMost: max(1, Int(untilRelist.components.seconds)), lastSeen: &last, events: &seen)
                resourceVersion = last
                // A routine close: watch again at once from where this one stopped. A server that
                // closes at once, without a single event, is not a routine close: back off.
                if seen == 0, ContinuousClock.now - started < .seconds(1) {
                    try? await Task.sleep(for: backoff.delay())
                } else {
                    backoff.reset()
                }
            } catch APIError.gone(let message) {
                self.logger.notice(
                    "watch of \(self.resource.rawValue) expired (410); listing again", metadata: ["message": "\(message)"])
                resourceVersion = nil
            } catch {
                if Task.isCancelled { return }
                resourceVersion = last
                self.metrics.failure(self.resource, "watch")
                let delay = backoff.delay(retryAfter: (error as? APIError)?.retryAfter)
                self.logger.warning(
                    "watch of \(self.resource.rawValue) failed; resuming from resourceVersion \(last)",
                    metadata: ["error": "\(error)", "retry.ms": "\(delay.milliseconds)"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// Lists every object, page by page, and replaces the resource's objects with them; returns
    /// the list's resourceVersion, the point to watch from.
    func list() async throws -> String {
        let listed = try await self.listAll()
        self.store.replace(self.resource, with: listed.objects)
        return listed.resourceVersion
    }

    /// Every object, decoded into virtual files, and the list's resourceVersion.
    func listAll() async throws -> (objects: [String: VirtualFile], resourceVersion: String) {
        var objects: [String: [ManifestObject]] = [:]
        var rejected: [String: [String: [ManifestDiagnostic]]] = [:]
        var continueToken: String?
        var restarts = 0
        while true {
            var query = "?limit=\(Self.pageSize)"
            if let continueToken { query += "&continue=" + Self.percentEncoded(continueToken) }
            self.metrics.request(self.resource, "list")
            let reply: APIClient.Reply
            do {
                reply = try await self.client.get(self.resource.path + query, limit: Self.maximumPage, timeout: .seconds(60))
            } catch APIError.gone where continueToken != nil && restarts < 3 {
                // The continue token expired between pages (etcd compacted): start over.
                objects = [:]
                rejected = [:]
                continueToken = nil
                restarts += 1
                continue
            }
            let page = try self.decoder.page(reply.body)
            for placed in page.objects {
                if let object = placed.decoded.objects.first {
                    // A relist builds the new state beside the served one: an object that did not
                    // change is the served copy, shared, so the new state costs only what changed.
                    let served = self.store.object(placed.path, named: placed.name)
                    objects[placed.path, default: []].append(served == object ? served! : object)
                } else {
                    objects[placed.path, default: []] += []
                }
                if !placed.decoded.diagnostics.isEmpty {
                    rejected[placed.path, default: [:]][placed.name] = placed.decoded.diagnostics
                }
            }
            if let next = page.continueToken, !next.isEmpty {
                continueToken = next
                continue
            }
            var files: [String: VirtualFile] = [:]
            for (path, list) in objects {
                files[path] = VirtualFile(path: path, objects: list, rejected: rejected[path] ?? [:])
            }
            return (files, page.resourceVersion)
        }
    }

    /// Watches from `from` until the server ends the stream; every event's resourceVersion
    /// (bookmarks' included) lands in `lastSeen`.
    private func watch(from: String, atMost: Int, lastSeen: inout String, events: inout Int) async throws {
        // The server ends the watch after timeoutSeconds, jittered so replicas do not re-watch in step.
        let seconds = min(Int.random(in: 300...600), atMost)
        let query =
            "?watch=1&allowWatchBookmarks=true&resourceVersion=\(Self.percentEncoded(from))&timeoutSeconds=\(seconds)"
        self.metrics.request(self.resource, "watch")
        var last = from
        var count = 0
        defer {
            lastSeen = last
            events = count
        }
        try await self.client.stream(
            self.resource.path + query, timeout: .seconds(seconds + 30), maximumLine: Self.maximumEvent
        ) { line in
            let event = try self.decoder.event(line)
            count += 1
            self.activity.heard(self.resource)
            switch event {
            case .upsert(let placed, let version):
                if let version { last = version }
                self.store.apply(placed.path, name: placed.name, decoded: placed.decoded)
            case .delete(let path, let name, let version):
                if let version { last = version }
                self.store.apply(path, name: name, decoded: nil)
            case .bookmark(let version), .unnamed(let version):
                if let version { last = version }
            case .gone(let message):
                throw APIError.gone(message)
            case .failure(let code, let message):
                throw APIError.status(code, message, retryAfter: nil)
            }
        }
    }

    /// RFC 3986 §2.3: everything but the unreserved characters percent-encoded (continue tokens
    /// are base64, with `+`, `/` and `=`).
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return result
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

