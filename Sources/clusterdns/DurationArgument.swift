/// Durations as flags take them: a whole number with `s`, `m`, `h` or `d`, or seconds alone
/// (`90s`, `30m`, `2h`, `1d`, `600`).
enum DurationArgument {
    /// The duration in seconds; nil when `text` is not one, or is over `maximum` seconds.
    static func seconds(_ text: String, maximum: Int64 = 365 * 24 * 3600) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let (digits, unit) = units[text.last ?? " "].map { (text.dropLast(), $0) } ?? (Substring(text), 1)
        guard let value = Int64(digits), value >= 0, value <= maximum / unit else { return nil }
        return value * unit
    }
}
