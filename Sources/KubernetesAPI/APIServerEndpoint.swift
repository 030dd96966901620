#if canImport(Glibc)
import Glibc
#endif

/// Where the API server is and how to talk to it: the base URL, what to trust, and who we are.
package struct APIServerEndpoint: Sendable, Equatable {
    /// `https://host:port`, possibly with a path prefix (a proxy's), without a trailing slash.
    package var server: String
    /// PEM certificates to trust instead of the system's (the cluster CA).
    package var certificateAuthorityPEM: [UInt8]?
    /// Skip verifying the server's certificate (kubeconfig `insecure-skip-tls-verify`).
    package var insecureSkipTLSVerify = false
    /// A client certificate chain and its key, both PEM.
    package var clientCertificatePEM: [UInt8]?
    package var clientKeyPEM: [UInt8]?
    package var credential: APICredential = .none

    package init(server: String) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
    }

    /// Where a service account's files are mounted in a pod.
    package static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The API server as a pod sees it: `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT_HTTPS`
    /// (or `KUBERNETES_SERVICE_PORT`), trusting the service account's `ca.crt` and sending its
    /// `token`, read again at each request since bound tokens rotate.
    package static func inCluster(
        environment: [String: String], serviceAccountDirectory: String = Self.serviceAccountDirectory
    ) throws -> APIServerEndpoint {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw LocalFile.Failure(
                path: "--in-cluster", message: "KUBERNETES_SERVICE_HOST is not set: not running in a pod? Use --kubeconfig")
        }
        guard let port = environment["KUBERNETES_SERVICE_PORT_HTTPS"] ?? environment["KUBERNETES_SERVICE_PORT"],
            let portNumber = Int(port), (1...65535).contains(portNumber)
        else {
            throw LocalFile.Failure(path: "--in-cluster", message: "KUBERNETES_SERVICE_PORT_HTTPS is not a port number")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var endpoint = APIServerEndpoint(server: "https://\(hostPart):\(portNumber)")
        endpoint.certificateAuthorityPEM = try LocalFile.read(serviceAccountDirectory + "/ca.crt", limit: 1 << 20)
        let tokenPath = serviceAccountDirectory + "/token"
        endpoint.credential = .tokenFile(tokenPath)
        _ = try endpoint.credential.currentToken()  // there now, or a clear error at start
        return endpoint
    }

    /// This process's environment.
    package static var processEnvironment: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
