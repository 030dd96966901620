import ClusterModel
import Manifests

/// Derives a cluster from YAML texts, one file each (`a.yaml`, `b.yaml`, ... in order).
func derive(_ texts: String..., options: ModelOptions = ModelOptions(), hints: AllocationTable = AllocationTable())
    -> ClusterDerivation
{
    derive(texts, options: options, hints: hints)
}

func derive(_ texts: [String], options: ModelOptions = ModelOptions(), hints: AllocationTable = AllocationTable())
    -> ClusterDerivation
{
    let files = texts.enumerated().map { index, text in
        let name = index < 26 ? String(UnicodeScalar(UInt8(97 + index))) : "f\(index)"
        return ManifestParser.parse(text, path: "\(name).yaml")
    }
    return ClusterBuilder.derive(files, options: options, hints: hints)
}

func service(_ name: String, namespace: String = "dev", spec: String) -> String {
    """
    apiVersion: v1
    kind: Service
    metadata:
      name: \(name)
      namespace: \(namespace)
    spec:
    \(spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
    """
}

let nginxDeployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: dev}
    spec:
      replicas: 3
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: nginx, ports: [{name: http, containerPort: 8080}]}]
    """
