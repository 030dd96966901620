/// One problem found in the manifests, printed in the compiler format editors jump to:
/// `zones/web.yaml:8:11: error: Service dev/web: spec.ports[1].port must be 1-65535, got 70000`.
package struct ManifestDiagnostic: Error, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// How bad a diagnostic is: an error rejects the object (or file), a warning only informs.
    package enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    package var location: SourceLocation
    package var severity: Severity
    package var message: String

    package init(_ severity: Severity, at location: SourceLocation, _ message: String) {
        self.location = location
        self.severity = severity
        self.message = message
    }

    package static func error(at location: SourceLocation, _ message: String) -> ManifestDiagnostic {
        ManifestDiagnostic(.error, at: location, message)
    }

    package static func warning(at location: SourceLocation, _ message: String) -> ManifestDiagnostic {
        ManifestDiagnostic(.warning, at: location, message)
    }

    package var isError: Bool { self.severity == .error }

    package var description: String { "\(self.location): \(self.severity.rawValue): \(self.message)" }

    /// Sorted by file, line and column; then errors before warnings, then by text, so output is stable.
    package static func < (lhs: ManifestDiagnostic, rhs: ManifestDiagnostic) -> Bool {
        if lhs.location != rhs.location { return lhs.location < rhs.location }
        if lhs.severity != rhs.severity { return lhs.severity == .error }
        return lhs.message < rhs.message
    }
}
