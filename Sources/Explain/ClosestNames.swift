/// The names nearest to a misspelled one, for "did you mean" sentences.
enum ClosestNames {
    /// Up to `count` of `candidates` nearest to `name` by edit distance (ties by name): those
    /// within a third of the longer name's length plus one, and that keep something of the
    /// shorter (`db` is not offered for `web`).
    static func to(_ name: String, among candidates: [String], count: Int = 3) -> [String] {
        candidates.map { ($0, Self.distance(name, $0)) }
            .filter { candidate, distance in
                distance <= max(name.count, candidate.count) / 3 + 1 && distance < min(name.count, candidate.count)
            }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(count).map(\.0)
    }

    /// Levenshtein distance over characters.
    static func distance(_ left: String, _ right: String) -> Int {
        let a = Array(left)
        let b = Array(right)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
