/// Writes Prometheus text exposition format (version 0.0.4).
struct PrometheusText {
    private(set) var text = ""
    private let prefix: String

    init(prefix: String) { self.prefix = prefix }

    mutating func header(_ name: String, _ type: String, _ help: String) {
        self.text += "# HELP \(self.prefix)\(name) \(help)\n# TYPE \(self.prefix)\(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        self.text += self.prefix + name
        if !labels.isEmpty {
            self.text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        self.text += " " + Self.format(value) + "\n"
    }

    /// A histogram from per-bucket counts (the last is +Inf) and a sum.
    mutating func histogram(_ name: String, _ labels: [(String, String)], bounds: [Double], buckets: [Int], sum: Double) {
        var cumulative = 0
        for (index, bound) in bounds.enumerated() {
            cumulative += buckets[index]
            self.sample("\(name)_bucket", labels + [("le", Self.format(bound))], Double(cumulative))
        }
        cumulative += buckets[bounds.count]
        self.sample("\(name)_bucket", labels + [("le", "+Inf")], Double(cumulative))
        self.sample("\(name)_sum", labels, sum)
        self.sample("\(name)_count", labels, Double(cumulative))
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escape(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }
}
