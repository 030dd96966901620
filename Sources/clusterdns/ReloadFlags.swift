import ArgumentParser
import Watcher

/// Flags of how the server keeps in step with the manifests: the debounce after a change and
/// the periodic full rescan under inotify.
struct ReloadFlags: ParsableArguments {
    @Option(
        name: .customLong("debounce"),
        help: ArgumentHelp("Milliseconds of quiet after a change before rebuilding.", valueName: "MS"))
    var debounceMilliseconds: Int = 20

    @Option(
        name: .customLong("debounce-max"),
        help: ArgumentHelp("Longest a rebuild waits after the first change of a burst, in milliseconds.", valueName: "MS"))
    var debounceMaximumMilliseconds: Int = 200

    @Option(
        name: .customLong("rescan-interval"),
        help: ArgumentHelp("Seconds between full rescans of the manifests (the safety net under inotify).", valueName: "SECONDS"))
    var rescanInterval: Int = 60

    func validate() throws {
        guard self.rescanInterval > 0 else {
            throw ValidationError("--rescan-interval must be at least 1 second, got \(self.rescanInterval)")
        }
        guard self.debounceMilliseconds >= 0, self.debounceMaximumMilliseconds >= self.debounceMilliseconds else {
            throw ValidationError("--debounce must be 0 or more and --debounce-max at least --debounce")
        }
    }

    var schedule: DebounceSchedule {
        DebounceSchedule(
            window: .milliseconds(self.debounceMilliseconds), maximumDelay: .milliseconds(self.debounceMaximumMilliseconds))
    }

    var rescan: Duration { .seconds(self.rescanInterval) }
}
