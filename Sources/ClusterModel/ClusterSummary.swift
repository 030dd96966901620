import Manifests

/// Counts `check` prints after its diagnostics.
package struct ClusterSummary: Sendable, Hashable {
    package var files = 0
    package var objectsByKind: [ObjectKind: Int] = [:]
    package var servicesByType: [String: Int] = [:]
    package var podsSynthesized = 0
    package var skippedKinds: [String: Int] = [:]
    package var errors = 0
    package var warnings = 0

    package init() {}

    /// One line: `5 files: 12 objects (1 Namespace, 5 Service, ...); services: 2 ClusterIP, 1 headless, ...;
    /// 5 pods synthesized; skipped: 1 ConfigMap; 0 errors, 0 warnings`.
    package var description: String {
        let objectCount = self.objectsByKind.values.reduce(0, +)
        let kinds = self.objectsByKind.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
        let order = ["ClusterIP", "headless", "NodePort", "LoadBalancer", "ExternalName"]
        let types = order.compactMap { type in self.servicesByType[type].map { "\($0) \(type)" } }
        let skipped = self.skippedKinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        var parts = [
            "\(self.files) \(self.files == 1 ? "file" : "files"): \(objectCount) objects"
                + (kinds.isEmpty ? "" : " (\(kinds.joined(separator: ", ")))")
        ]
        parts.append("services: " + (types.isEmpty ? "none" : types.joined(separator: ", ")))
        parts.append("\(self.podsSynthesized) pods synthesized")
        parts.append("skipped: " + (skipped.isEmpty ? "none" : skipped.joined(separator: ", ")))
        parts.append(
            "\(self.errors) \(self.errors == 1 ? "error" : "errors"), \(self.warnings) \(self.warnings == 1 ? "warning" : "warnings")"
        )
        return parts.joined(separator: "; ")
    }
}
