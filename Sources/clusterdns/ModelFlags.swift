import ArgumentParser
import ClusterModel
import Manifests

/// The control-plane settings the model derives with: `--service-cidr`, `--pod-cidr`,
/// `--service-node-port-range`.
struct ModelFlags: ParsableArguments {
    @Option(
        name: .customLong("service-cidr"),
        help: ArgumentHelp(
            "Block cluster IPs are allocated from; repeat (or comma-separate) for dual-stack. Default 10.96.0.0/12.",
            valueName: "CIDR"))
    var serviceCIDRs: [String] = []

    @Option(
        name: .customLong("pod-cidr"),
        help: ArgumentHelp(
            "Block pod IPs are allocated from; repeat (or comma-separate) for dual-stack. Default 10.244.0.0/16.",
            valueName: "CIDR"))
    var podCIDRs: [String] = []

    @Option(
        name: .customLong("service-node-port-range"),
        help: ArgumentHelp("Range node ports are allocated from.", valueName: "LOW-HIGH"))
    var nodePortRange: String = "30000-32767"

    func validate() throws {
        _ = try self.modelOptions()
    }

    /// The flags as `ModelOptions`, or a usage error naming the bad value.
    func modelOptions() throws -> ModelOptions {
        var options = ModelOptions()
        let services = try Self.networks(self.serviceCIDRs, flag: "--service-cidr")
        if !services.isEmpty { options.serviceCIDRs = services }
        let pods = try Self.networks(self.podCIDRs, flag: "--pod-cidr")
        if !pods.isEmpty { options.podCIDRs = pods }
        let bounds = self.nodePortRange.split(separator: "-").map { Int($0) }
        guard bounds.count == 2, let low = bounds[0], let high = bounds[1], 1 <= low, low <= high, high <= 65535 else {
            throw ValidationError("--service-node-port-range must be LOW-HIGH within 1-65535, got \"\(self.nodePortRange)\"")
        }
        options.nodePortRange = low...high
        return options
    }

    private static func networks(_ values: [String], flag: String) throws -> [IPNetwork] {
        var result: [IPNetwork] = []
        for value in values.flatMap({ $0.split(separator: ",") }) {
            guard let network = IPNetwork(value.trimmingCharacters(in: " ")) else {
                throw ValidationError("\(flag) must be a CIDR such as 10.96.0.0/12, got \"\(value)\"")
            }
            if result.contains(where: { $0.family == network.family }) {
                throw ValidationError("\(flag) takes at most one block per address family, got two \(network.family.rawValue) blocks")
            }
            result.append(network)
        }
        return result
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self.drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}
