import CoreSharing
import Testing

/// Checkpoints yield only inside `yielding(_:)`, however it is left; nested rebuild stages keep it
/// on until the outermost ends.
@Suite struct CoreSharingTests {
    struct Stop: Error {}

    @Test func checkpointsAreActiveOnlyWhileARebuildRuns() throws {
        #expect(!CoreSharing.isActive)
        CoreSharing.checkpoint()  // outside: nothing to do
        let seen = CoreSharing.yielding { () -> [Bool] in
            var seen = [CoreSharing.isActive]
            // Many checkpoints in a row: every one past the interval yields, and returns.
            for _ in 0..<1_000 { CoreSharing.checkpoint() }
            CoreSharing.yielding { seen.append(CoreSharing.isActive) }
            seen.append(CoreSharing.isActive)
            return seen
        }
        #expect(seen == [true, true, true])
        #expect(!CoreSharing.isActive)
        #expect(throws: Stop.self) { try CoreSharing.yielding { throw Stop() } }
        #expect(!CoreSharing.isActive)
    }
}
