import ArgumentParser
import Watcher

/// Flags of how the server keeps in step with the manifests: the debounce after a change and
/// the periodic full rescan under inotify.
struct ReloadFlags: ParsableArguments {
    @Option(
        name: .customLong("debounce"),
        help: ArgumentHelp("Milliseconds of quiet after a change before rebuilding.", valueName: "MS"))
    // 10 ms still makes one rebuild of a tool's burst of writes (events microseconds apart), and a
    // rebuild that a burst splits in two costs a few milliseconds each.
    var debounceMilliseconds: Int = 10

    @Option(
        name: .customLong("debounce-max"),
        help: ArgumentHelp("Longest a rebuild waits after the first change of a burst, in milliseconds.", valueName: "MS"))
    var debounceMaximumMilliseconds: Int = 200

    @Option(
        name: .customLong("rescan-interval"),
        help: ArgumentHelp("Seconds between full rescans of the manifests (the safety net under inotify).", valueName: "SECONDS"))
    var rescanInterval: Int = 60

    @Option(
        name: .customLong("relist-interval"),
        help: ArgumentHelp(
            "With --kubeconfig or --in-cluster: how often each resource is listed again in full, the safety net under the watches (90s, 30m, 2h; seconds without a unit).",
            valueName: "DURATION"))
    var relistIntervalText: String = "30m"

    /// `--relist-interval` as a duration.
    var relistInterval: Duration {
        get throws {
            guard let seconds = DurationArgument.seconds(self.relistIntervalText, maximum: 7 * 24 * 3600), seconds > 0 else {
                throw ValidationError(
                    "--relist-interval must be a positive duration such as 90s, 30m or 2h, got \"\(self.relistIntervalText)\"")
            }
            return .seconds(seconds)
        }
    }

    func validate() throws {
        _ = try self.relistInterval
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
