import CoreSharing
import Synchronization
import Testing

/// Checkpoints yield only inside `yielding(_:)`, however it is left; nested rebuild stages keep it
/// on until the outermost ends. Serialized: whether a rebuild runs is one flag for the process,
/// and the tests below turn it on (run side by side, one saw the other's rebuild as its own).
@Suite(.serialized) struct CoreSharingTests {
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

    /// A registered listener is asked whether queries wait at each due checkpoint of a rebuild,
    /// and no more once removed.
    @Test func dueCheckpointsAskTheRegisteredQueues() {
        let asked = Atomic<Int>(0)
        let token = CoreSharing.addQueryQueue {
            asked.add(1, ordering: .relaxed)
            return false
        }
        let clock = ContinuousClock()
        func spin() {
            CoreSharing.yielding {
                let end = clock.now + .milliseconds(2)
                while clock.now < end { CoreSharing.checkpoint() }
            }
        }
        spin()
        #expect(asked.load(ordering: .relaxed) > 0)
        CoreSharing.removeQueryQueue(token)
        let before = asked.load(ordering: .relaxed)
        spin()
        #expect(asked.load(ordering: .relaxed) == before)
    }
}
