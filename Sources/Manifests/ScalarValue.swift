/// The typed value of a scalar after YAML 1.1 / JSON type resolution.
package enum ScalarValue: Sendable, Equatable {
    case null
    case boolean(Bool)
    case integer(Int)
    case float(Double)
    case string(String)

    /// How the value is named in messages, with the value itself: `string "80"`, `integer 80`.
    package var typeDescription: String {
        switch self {
        case .null: return "null"
        case .boolean(let value): return "boolean \(value)"
        case .integer(let value): return "integer \(value)"
        case .float(let value): return "number \(value)"
        case .string(let value): return "string \"\(value)\""
        }
    }
}
