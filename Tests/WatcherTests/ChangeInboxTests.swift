import Testing
import Watcher

@Suite("Change inbox: events merge until drained")
struct ChangeInboxTests {
    @Test func postedChangesMergeAndDrainOnce() async {
        let inbox = ChangeInbox()
        inbox.post(ChangeBatch(paths: ["a.yaml"]))
        inbox.post(ChangeBatch(paths: ["b.yaml"], rereadAll: true))
        await inbox.waitForChanges()  // returns at once: something is pending
        let batch = inbox.drain()
        #expect(batch.paths == ["a.yaml", "b.yaml"])
        #expect(batch.rereadAll)
        #expect(inbox.pendingTimes.first == nil)
        #expect(inbox.drain() == ChangeBatch())
    }

    @Test func aWaiterIsWokenByAPost() async {
        let inbox = ChangeInbox()
        async let waited: Void = inbox.waitForChanges()
        // Post until the waiter has returned (it may not have suspended yet when we first post).
        inbox.post(ChangeBatch(paths: ["x.yaml"]))
        await waited
        #expect(inbox.drain().paths == ["x.yaml"])
    }

    @Test func closingWakesTheWaiter() async {
        let inbox = ChangeInbox()
        async let waited: Void = inbox.waitForChanges()
        inbox.close()
        await waited
        #expect(inbox.isClosed)
    }
}
