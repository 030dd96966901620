import IPAddressing
import Manifests

/// EndpointSlice endpoints whose `targetRef` names a Pod that is not there. From an API server,
/// which lists every Pod, that is an inconsistency worth saying (a slice not yet updated after a
/// pod went, or a controller out of step); from a manifest tree, which rarely holds pods, it is not.
package enum PodReferenceCheck {
    /// One warning per endpoint naming a missing Pod, at the slice.
    package static func unknownPods(in files: [ManifestFile]) -> [ManifestDiagnostic] {
        var pods: Set<String> = []
        for file in files {
            for object in file.objects {
                if case .pod(let pod) = object.body { pods.insert("\(pod.metadata.namespace)/\(pod.metadata.name)") }
            }
        }
        var diagnostics: [ManifestDiagnostic] = []
        for file in files {
            for object in file.objects {
                guard case .endpointSlice(let slice) = object.body else { continue }
                for endpoint in slice.endpoints {
                    guard let reference = endpoint.targetRef, reference.kind == "Pod" else { continue }
                    let namespace = reference.namespace ?? slice.metadata.namespace
                    guard !pods.contains("\(namespace)/\(reference.name)") else { continue }
                    let addresses = endpoint.addresses.map(\.description).joined(separator: ", ")
                    diagnostics.append(
                        .warning(
                            at: object.location,
                            "EndpointSlice \(slice.metadata.namespace)/\(slice.metadata.name): endpoint \(addresses) names Pod \(namespace)/\(reference.name), which does not exist"
                        ))
                }
            }
        }
        return diagnostics
    }
}
