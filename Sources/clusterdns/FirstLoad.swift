/// The two moments of a start: the first snapshot published (the DNS listeners bind only then,
/// so that no query is ever answered from an empty cluster), and the listeners bound (the
/// reload service tidies up after the first build only then). One waiter for each: the DNS
/// service for the first, the reload service for the second.
final class FirstLoad: Sendable {
    private let published: AsyncStream<Void>
    private let publishedContinuation: AsyncStream<Void>.Continuation
    private let answering: AsyncStream<Void>
    private let answeringContinuation: AsyncStream<Void>.Continuation

    init() {
        (self.published, self.publishedContinuation) = AsyncStream.makeStream(
            of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (self.answering, self.answeringContinuation) = AsyncStream.makeStream(
            of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Marks the first load done.
    func finish() {
        self.publishedContinuation.yield()
        self.publishedContinuation.finish()
    }

    /// True once the first load is done; false when the waiting task is cancelled first.
    func wait() async -> Bool {
        for await _ in self.published { return true }
        return false
    }

    /// Marks the listeners bound: queries are being answered.
    func listenersBound() {
        self.answeringContinuation.yield()
        self.answeringContinuation.finish()
    }

    /// Marks that the listeners will not bind (the DNS service ended first: a shutdown during
    /// the first load, a bind that failed): the waiter stops waiting. After `listenersBound()`,
    /// nothing.
    func listenersWillNotBind() {
        self.answeringContinuation.finish()
    }

    /// True once the listeners are bound; false when they will not bind or the waiting task is
    /// cancelled first.
    func waitForListeners() async -> Bool {
        for await _ in self.answering { return true }
        return false
    }
}
