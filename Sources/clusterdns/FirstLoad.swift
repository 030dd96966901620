/// Set once, when the first snapshot is published: the DNS listeners bind only then, so that
/// no query is ever answered from an empty cluster. One waiter (the DNS service).
final class FirstLoad: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (self.stream, self.continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Marks the first load done.
    func finish() {
        self.continuation.yield()
        self.continuation.finish()
    }

    /// True once the first load is done; false when the waiting task is cancelled first.
    func wait() async -> Bool {
        for await _ in self.stream { return true }
        return false
    }
}
