import ArgumentParser
import KubernetesAPI

/// Where the cluster comes from instead of manifests: an API server, named by a kubeconfig or by
/// the pod's own environment.
struct ClusterSourceFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read Namespaces, Services, EndpointSlices and Pods from the API server that this kubeconfig's current context names, instead of manifests.",
            valueName: "PATH"))
    var kubeconfig: String?

    @Option(help: ArgumentHelp("With --kubeconfig: the context to use instead of the current one.", valueName: "NAME"))
    var context: String?

    @Flag(
        help: ArgumentHelp(
            "Read the cluster from the API server of the pod this runs in: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT_HTTPS, with the service account's token (read again when it rotates) and ca.crt."
        ))
    var inCluster = false

    @Option(
        help: ArgumentHelp(
            "With --in-cluster: where the service account's token and ca.crt are mounted.", valueName: "DIR"))
    var serviceAccountDir: String = APIServerEndpoint.serviceAccountDirectory

    func validate() throws {
        if self.inCluster, self.kubeconfig != nil {
            throw ValidationError("give one source: --kubeconfig or --in-cluster")
        }
        if self.context != nil, self.kubeconfig == nil {
            throw ValidationError("--context needs --kubeconfig")
        }
    }

    /// True when the cluster comes from an API server.
    var isAPI: Bool { self.inCluster || self.kubeconfig != nil }

    /// The API server to read, or nil for manifests. `manifests` is what the manifest flags gave:
    /// both at once is a usage error.
    func endpoint(manifests: ManifestOptions) throws -> APIServerEndpoint? {
        guard self.isAPI else { return nil }
        if manifests.manifests != nil || manifests.directory != nil {
            throw ValidationError("give one source: a manifest directory, --kubeconfig or --in-cluster")
        }
        if let kubeconfig = self.kubeconfig {
            return try Kubeconfig.load(path: kubeconfig, context: self.context)
        }
        return try APIServerEndpoint.inCluster(
            environment: APIServerEndpoint.processEnvironment, serviceAccountDirectory: self.serviceAccountDir)
    }
}
