/// How requests to the API server prove who sends them, besides a client certificate.
package enum APICredential: Sendable, Equatable {
    case none
    /// A bearer token given inline (kubeconfig `token`).
    case token(String)
    /// A bearer token read from a file at every request (kubeconfig `tokenFile`, the service
    /// account's `token`): bound service account tokens rotate, and the kubelet rewrites the file.
    case tokenFile(String)

    /// The token to send now, if any.
    package func currentToken() throws -> String? {
        switch self {
        case .none: return nil
        case .token(let token): return token
        case .tokenFile(let path):
            let bytes = try LocalFile.read(path, limit: 1 << 20)
            let token = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
            guard !token.isEmpty else { throw LocalFile.Failure(path: path, message: "the token file is empty") }
            return token
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line ends (a token file ends with a newline).
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
