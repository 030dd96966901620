/// A Service port's `targetPort`: a number, or the name of a container port (IntOrString).
package enum TargetPort: Sendable, Hashable, CustomStringConvertible {
    case number(Int)
    case name(String)

    package var description: String {
        switch self {
        case .number(let number): return String(number)
        case .name(let name): return name
        }
    }
}
