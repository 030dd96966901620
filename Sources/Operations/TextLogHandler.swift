import Foundation
import Logging

/// swift-log handler writing one line per record to stderr (the default `--log-format text`):
/// `<timestamp> <level> <label>: <message> key=value ... [<source>]`. Every byte outside
/// printable ASCII in the message and the metadata is written as `\DDD`, as dig prints such
/// octets in names (RFC 4343 §2.1), so nothing a client or a file name carries (a newline in a
/// query name, say) can start a forged record of its own.
package struct TextLogHandler: LogHandler {
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    private let label: String

    package init(label: String) {
        self.label = label
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var line = Self.timestamp() + " " + event.level.rawValue + " " + Self.escaped(self.label) + ": "
        line += Self.escaped(event.message.description)
        let merged = self.metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            line += " " + Self.escaped(key) + "=" + Self.escaped(Self.text(value))
        }
        line += " [" + Self.escaped(event.source) + "]\n"
        StandardErrorLines.write(Array(line.utf8))
    }

    /// `text` with every byte outside printable ASCII as `\DDD`. A backslash stays as it is:
    /// names arrive in presentation form, whose escapes are already backslashes.
    package static func escaped(_ text: String) -> String {
        let bytes = text.utf8
        guard bytes.contains(where: { $0 < 0x20 || $0 > 0x7E }) else { return text }
        var result = ""
        result.reserveCapacity(bytes.count + 8)
        for byte in bytes {
            if byte >= 0x20 && byte <= 0x7E {
                result.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                let digits = String(byte)
                result += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return result
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return "[" + values.map(Self.text).joined(separator: ", ") + "]"
        case .dictionary(let values):
            return "[" + values.keys.sorted().map { "\($0): \(values[$0].map(Self.text) ?? "")" }.joined(separator: ", ") + "]"
        }
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(now.tv_nsec / 1_000_000))
    }
}
