import Testing
import Watcher

@Suite("Debounce: a burst becomes one rebuild, a trickle still publishes")
struct DebounceScheduleTests {
    let schedule = DebounceSchedule(window: .milliseconds(20), maximumDelay: .milliseconds(200))
    let origin = ContinuousClock.now

    private func at(_ milliseconds: Int) -> ContinuousClock.Instant { self.origin + .milliseconds(milliseconds) }

    @Test func nothingPendingIsIdle() {
        #expect(schedule.decide(firstEvent: nil, lastEvent: nil, now: at(0)) == .idle)
    }

    @Test func waitsForTheQuietWindowAfterTheLastEvent() {
        #expect(schedule.decide(firstEvent: at(0), lastEvent: at(5), now: at(10)) == .wait(until: at(25)))
        #expect(schedule.decide(firstEvent: at(0), lastEvent: at(5), now: at(25)) == .fire)
    }

    @Test func aSteadyTrickleFiresAtTheMaximumDelay() {
        // Events every 10 ms would postpone forever; the first event's deadline wins.
        #expect(schedule.decide(firstEvent: at(0), lastEvent: at(190), now: at(195)) == .wait(until: at(200)))
        #expect(schedule.decide(firstEvent: at(0), lastEvent: at(199), now: at(200)) == .fire)
    }

    @Test func aBurstOfFiveHundredEventsIsOneRebuild() {
        // Simulate `git checkout` touching 500 files within 50 ms: the loop only fires once.
        var fired = 0
        var first: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
        for millisecond in 0..<120 {
            if millisecond < 50 {
                for _ in 0..<10 {
                    if first == nil { first = at(millisecond) }
                    last = at(millisecond)
                }
            }
            if schedule.decide(firstEvent: first, lastEvent: last, now: at(millisecond)) == .fire {
                fired += 1
                first = nil
                last = nil
            }
        }
        #expect(fired == 1)
    }
}
