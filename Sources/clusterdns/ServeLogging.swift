import Logging
import Operations

/// The logging `serve` sets up: one line per record on stderr, as text (non-printable bytes
/// escaped) or JSON, at `level`.
enum ServeLogging {
    static func bootstrap(level: Logger.Level, json: Bool) {
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = TextLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
