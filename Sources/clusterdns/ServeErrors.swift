/// Why `serve` stops before serving, each with its exit code and its one line for stderr.
enum ServeFailure: Error, CustomStringConvertible {
    /// The manifest directory (or file) does not exist: a usage error.
    case missingManifests(root: String)
    /// A question sent upstream came back to this server.
    case forwardingLoop

    var exitCode: Int32 {
        switch self {
        case .missingManifests: 2
        case .forwardingLoop: 1
        }
    }

    var description: String {
        switch self {
        case .missingManifests(let root):
            return "\(root): no such file or directory"
        case .forwardingLoop:
            return
                "a forwarding loop: a question sent upstream came back to this server; give an upstream resolver that does not forward to ClusterDNS"
        }
    }
}
