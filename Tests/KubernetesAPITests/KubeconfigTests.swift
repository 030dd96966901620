import KubernetesAPI
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The kubeconfig fields a cluster admin's file uses, and the errors that name what is wrong.
@Suite("Kubeconfig")
struct KubeconfigTests {
    static func parse(_ text: String, context: String? = nil) throws -> APIServerEndpoint {
        try Kubeconfig.parse(Array(text.utf8), path: "/etc/kube/config", context: context)
    }

    static let twoContexts = """
        apiVersion: v1
        kind: Config
        current-context: admin@prod
        clusters:
        - name: prod
          cluster:
            server: https://10.0.0.1:6443/
            certificate-authority-data: LS0tLS1CRUdJTg==
        - name: lab
          cluster:
            server: https://lab.example:443
            insecure-skip-tls-verify: true
            certificate-authority: certs/ca.pem
        contexts:
        - name: admin@prod
          context: {cluster: prod, user: admin}
        - name: lab
          context: {cluster: lab, user: robot}
        users:
        - name: admin
          user:
            token: abc.def
        - name: robot
          user:
            tokenFile: /var/run/token
        """

    @Test func theCurrentContextNamesServerCAAndToken() throws {
        let endpoint = try Self.parse(Self.twoContexts)
        #expect(endpoint.server == "https://10.0.0.1:6443")
        #expect(endpoint.certificateAuthorityPEM == Array("-----BEGIN".utf8))
        #expect(endpoint.credential == .token("abc.def"))
        #expect(!endpoint.insecureSkipTLSVerify)
    }

    @Test func anotherContextByName() throws {
        // certs/ca.pem does not exist: the error names the kubeconfig and the field.
        #expect {
            try Self.parse(Self.twoContexts, context: "lab")
        } throws: { error in
            "\(error)".hasPrefix("/etc/kube/config: certificate-authority: /etc/kube/certs/ca.pem:")
        }
        let withoutFile = Self.twoContexts.split(separator: "\n").filter { !$0.contains("certs/ca.pem") }
            .joined(separator: "\n")
        let endpoint = try Self.parse(withoutFile, context: "lab")
        #expect(endpoint.server == "https://lab.example:443")
        #expect(endpoint.insecureSkipTLSVerify)
        #expect(endpoint.credential == .tokenFile("/var/run/token"))
    }

    @Test(arguments: [
        ("current-context: x\nclusters: []\ncontexts: []\n", "/etc/kube/config: context \"x\" is not defined"),
        ("clusters: []\n", "/etc/kube/config: no current-context is set"),
        (
            "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://a}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\n",
            "/etc/kube/config: user \"u\" gets its credentials from a plugin (exec or auth-provider), which ClusterDNS does not run; give it a token, tokenFile or client certificate"
        ),
        (
            "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\nclusters: [{name: k, cluster: {server: ftp://a}}]\n",
            "/etc/kube/config: cluster \"k\": server \"ftp://a\" is not an http(s) URL"
        ),
        (
            "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://a}}]\nusers: [{name: u, user: {client-certificate-data: QUJD}}]\n",
            "/etc/kube/config: user \"u\" has a client certificate or key without the other"
        ),
        ("- just a list\n", "/etc/kube/config: not a kubeconfig (no mapping at the top)"),
    ])
    func brokenFilesSayWhatIsWrong(text: String, message: String) {
        #expect {
            try Self.parse(text)
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test func aClientCertificateAndKeyInline() throws {
        let text =
            "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: https://a}}]\nusers: [{name: u, user: {client-certificate-data: QUJD, client-key-data: REVG}}]\n"
        let endpoint = try Self.parse(text)
        #expect(endpoint.clientCertificatePEM == Array("ABC".utf8))
        #expect(endpoint.clientKeyPEM == Array("DEF".utf8))
        #expect(endpoint.credential == .none)
    }

    @Test func inClusterUsesTheServiceEnvironmentAndTheAccountFiles() throws {
        var template = Array("/tmp/serviceaccount-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { _ = system("rm -rf \(directory)") }
        #expect(FileDescriptorWriter.write("CA", to: directory + "/ca.crt"))
        #expect(FileDescriptorWriter.write("tok-1\n", to: directory + "/token"))
        let endpoint = try APIServerEndpoint.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT_HTTPS": "443"],
            serviceAccountDirectory: directory)
        #expect(endpoint.server == "https://[fd00::1]:443")
        #expect(endpoint.certificateAuthorityPEM == Array("CA".utf8))
        #expect(try endpoint.credential.currentToken() == "tok-1")
        // Rotated by the kubelet: the next request sends the new token.
        #expect(FileDescriptorWriter.write("tok-2\n", to: directory + "/token"))
        #expect(try endpoint.credential.currentToken() == "tok-2")
        #expect(throws: (any Error).self) {
            try APIServerEndpoint.inCluster(environment: [:], serviceAccountDirectory: directory)
        }
    }
}

/// Writes small files for the tests (no Foundation in this target).
enum FileDescriptorWriter {
    static func write(_ text: String, to path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) } == bytes.count
    }
}
