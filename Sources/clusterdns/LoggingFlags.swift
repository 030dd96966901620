import ArgumentParser
import Logging

/// Flags of the logs: how much, in which format, and whether every query gets a line.
struct LoggingFlags: ParsableArguments {
    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "LEVEL"))
    var logLevel: String = "info"

    @Option(name: .customLong("log-format"), help: ArgumentHelp("text or json (one object per line).", valueName: "FORMAT"))
    var logFormat: String = "text"

    @Flag(name: .customLong("query-log"), help: "Log one line per query: client, name, type, RCODE, duration.")
    var queryLog = false

    func validate() throws {
        _ = try self.level()
        guard ["text", "json"].contains(self.logFormat) else {
            throw ValidationError("--log-format must be text or json, got \"\(self.logFormat)\"")
        }
    }

    func level() throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: self.logLevel) else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical, got \"\(self.logLevel)\"")
        }
        return level
    }

    var isJSON: Bool { self.logFormat == "json" }

    /// The per-query logger, or nil without `--query-log`. Asked for explicitly, so a quieter
    /// `--log-level` does not hide it.
    func queryLogger() throws -> Logger? {
        guard self.queryLog else { return nil }
        var queryLog = Logger(label: "clusterdns.query")
        queryLog.logLevel = min(try self.level(), .info)
        return queryLog
    }
}
