import FoundationEssentials
import Manifests

/// The connection a kubeconfig file's current context names (or `context`): its cluster's
/// `server`, `certificate-authority(-data)` and `insecure-skip-tls-verify`, and its user's `token`,
/// `tokenFile`, `client-certificate(-data)` and `client-key(-data)`. Relative file names are
/// relative to the kubeconfig's directory, as kubectl reads them.
package enum Kubeconfig {
    package struct Failure: Error, CustomStringConvertible {
        package var path: String
        package var message: String
        package var description: String { "\(self.path): \(self.message)" }
    }

    package static func load(path: String, context: String? = nil) throws -> APIServerEndpoint {
        let bytes: [UInt8]
        do {
            bytes = try LocalFile.read(path, limit: 16 << 20)
        } catch let failure as LocalFile.Failure {
            throw Failure(path: path, message: failure.message)
        }
        return try Self.parse(bytes, path: path, context: context)
    }

    /// The endpoint `bytes` (a kubeconfig's YAML or JSON) describes; `path` names it in errors
    /// and anchors relative file names.
    package static func parse(_ bytes: [UInt8], path: String, context wanted: String? = nil) throws -> APIServerEndpoint {
        let documents: [ManifestNode]
        switch bytes.withUnsafeBytes({ YAMLDocumentParser.parse($0) }) {
        case .failure(let failure):
            throw Failure(path: path, message: "line \(failure.line): \(failure.message)")
        case .success(let parsed):
            documents = parsed
        }
        guard let root = documents.first, root.isMapping else {
            throw Failure(path: path, message: "not a kubeconfig (no mapping at the top)")
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."

        guard let contextName = wanted ?? root["current-context"]?.scalar?.text, !contextName.isEmpty else {
            throw Failure(path: path, message: "no current-context is set")
        }
        guard let context = Self.named(contextName, in: root["contexts"], field: "context") else {
            throw Failure(path: path, message: "context \"\(contextName)\" is not defined")
        }
        guard let clusterName = context["cluster"]?.scalar?.text,
            let cluster = Self.named(clusterName, in: root["clusters"], field: "cluster")
        else {
            throw Failure(path: path, message: "the cluster of context \"\(contextName)\" is not defined")
        }
        guard let server = cluster["server"]?.scalar?.text, !server.isEmpty else {
            throw Failure(path: path, message: "cluster \"\(clusterName)\" has no server")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw Failure(path: path, message: "cluster \"\(clusterName)\": server \"\(server)\" is not an http(s) URL")
        }
        var endpoint = APIServerEndpoint(server: server)
        endpoint.insecureSkipTLSVerify = cluster["insecure-skip-tls-verify"]?.scalar?.text == "true"
        endpoint.certificateAuthorityPEM = try Self.material(
            cluster, data: "certificate-authority-data", file: "certificate-authority", directory: directory, path: path)

        // A context without a user (or a user without credentials) talks anonymously.
        if let userName = context["user"]?.scalar?.text, !userName.isEmpty {
            guard let user = Self.named(userName, in: root["users"], field: "user") else {
                throw Failure(path: path, message: "user \"\(userName)\" is not defined")
            }
            if user["exec"] != nil || user["auth-provider"] != nil {
                throw Failure(
                    path: path,
                    message:
                        "user \"\(userName)\" gets its credentials from a plugin (exec or auth-provider), which ClusterDNS does not run; give it a token, tokenFile or client certificate"
                )
            }
            if let token = user["token"]?.scalar?.text, !token.isEmpty {
                endpoint.credential = .token(token)
            } else if let tokenFile = user["tokenFile"]?.scalar?.text, !tokenFile.isEmpty {
                endpoint.credential = .tokenFile(Self.resolve(tokenFile, directory: directory))
            }
            endpoint.clientCertificatePEM = try Self.material(
                user, data: "client-certificate-data", file: "client-certificate", directory: directory, path: path)
            endpoint.clientKeyPEM = try Self.material(
                user, data: "client-key-data", file: "client-key", directory: directory, path: path)
            if (endpoint.clientCertificatePEM == nil) != (endpoint.clientKeyPEM == nil) {
                throw Failure(path: path, message: "user \"\(userName)\" has a client certificate or key without the other")
            }
        }
        return endpoint
    }

    /// The `field` object of the entry called `name` in a `contexts`, `clusters` or `users` list.
    private static func named(_ name: String, in list: ManifestNode?, field: String) -> ManifestNode? {
        list?.sequence?.first { $0["name"]?.scalar?.text == name }?[field]
    }

    /// Inline base64 data, else the named file's bytes, else nil.
    private static func material(
        _ node: ManifestNode, data: String, file: String, directory: String, path: String
    ) throws -> [UInt8]? {
        if let encoded = node[data]?.scalar?.text, !encoded.isEmpty {
            guard let decoded = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw Failure(path: path, message: "\(data) is not base64")
            }
            return [UInt8](decoded)
        }
        if let name = node[file]?.scalar?.text, !name.isEmpty {
            do {
                return try LocalFile.read(Self.resolve(name, directory: directory), limit: 1 << 20)
            } catch let failure as LocalFile.Failure {
                throw Failure(path: path, message: "\(file): \(failure)")
            }
        }
        return nil
    }

    private static func resolve(_ name: String, directory: String) -> String {
        name.hasPrefix("/") ? name : directory + "/" + name
    }
}
