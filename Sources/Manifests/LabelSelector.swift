/// A label selector: `matchLabels` plus `matchExpressions` (apps/v1 workloads), or the plain map
/// a Service uses. An empty selector matches everything (and a Service without one matches nothing;
/// that rule lives with Services).
package struct LabelSelector: Sendable, Hashable {
    /// One `matchExpressions` entry.
    package struct Requirement: Sendable, Hashable {
        /// The set-based operators of `matchExpressions`.
        package enum Operator: String, Sendable, Hashable {
            case `in` = "In"
            case notIn = "NotIn"
            case exists = "Exists"
            case doesNotExist = "DoesNotExist"
        }

        package var key: String
        package var `operator`: Operator
        package var values: [String]

        package init(key: String, operator: Operator, values: [String]) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        package func matches(_ labels: [String: String]) -> Bool {
            switch self.operator {
            case .in: return labels[self.key].map { self.values.contains($0) } ?? false
            case .notIn: return labels[self.key].map { !self.values.contains($0) } ?? true
            case .exists: return labels[self.key] != nil
            case .doesNotExist: return labels[self.key] == nil
            }
        }
    }

    package var matchLabels: [String: String]
    package var matchExpressions: [Requirement]

    package init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    package var isEmpty: Bool { self.matchLabels.isEmpty && self.matchExpressions.isEmpty }

    package func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in self.matchLabels where labels[key] != value { return false }
        return self.matchExpressions.allSatisfy { $0.matches(labels) }
    }
}
