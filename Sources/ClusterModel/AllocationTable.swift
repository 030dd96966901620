import IPAddressing
import Manifests

/// Every address and node port the cluster allocated, by the identity that asked for it
/// (`dev/web` + family, `dev/web-0` + family, `dev/web:1`). A server passes the previous table
/// into the next derivation so that nothing already allocated is renumbered by a reload.
package struct AllocationTable: Sendable, Hashable {
    package var serviceIPs: [String: IPAddress] = [:]
    package var podIPs: [String: IPAddress] = [:]
    package var nodePorts: [String: Int] = [:]

    package init() {}

    static func addressKey(_ namespace: String, _ name: String, _ family: IPAddress.Family) -> String {
        "\(namespace)/\(name)/\(family.rawValue)"
    }

    static func nodePortKey(_ namespace: String, _ name: String, _ portIndex: Int) -> String {
        "\(namespace)/\(name):\(portIndex)"
    }
}
