import ArgumentParser
import ClusterModel
import IPAddressing
import Manifests

/// The control-plane settings the model derives with: `--service-cidr`, `--pod-cidr`,
/// `--service-node-port-range`.
struct ModelFlags: ParsableArguments {
    @Option(
        name: .customLong("service-cidr"),
        help: ArgumentHelp(
            "Block(s) of cluster IPs; repeat or comma-separate (several per family allowed). Given, explicit cluster IPs must lie inside. Default: explicit ones as written, others from 10.96.0.0/12 and fd00:10:96::/112.",
            valueName: "CIDR"))
    var serviceCIDRs: [String] = []

    @Option(
        name: .customLong("pod-cidr"),
        help: ArgumentHelp(
            "Block(s) of pod IPs; repeat or comma-separate (several per family allowed). Given, pod IPs (host network aside) must lie inside. Default: explicit ones as written, others from 10.244.0.0/16 and fd00:10:244::/56.",
            valueName: "CIDR"))
    var podCIDRs: [String] = []

    @Option(
        name: .customLong("max-synthesized-pods"),
        help: ArgumentHelp(
            "Most pods synthesized for workloads whose pods the manifests lack, per workload and in all; a workload past it is an error and gets none.",
            valueName: "N"))
    var maximumSynthesizedPods: Int = ModelOptions.defaultMaximumSynthesizedPods

    @Option(
        name: .customLong("service-node-port-range"),
        help: ArgumentHelp("Range node ports are allocated from.", valueName: "LOW-HIGH"))
    var nodePortRange: String = "30000-32767"

    func validate() throws {
        _ = try self.modelOptions()
    }

    /// The flags as `ModelOptions`, or a usage error naming the bad value.
    func modelOptions() throws -> ModelOptions {
        let services = try Self.networks(self.serviceCIDRs, flag: "--service-cidr")
        let pods = try Self.networks(self.podCIDRs, flag: "--pod-cidr")
        var options = ModelOptions(serviceCIDRs: services.isEmpty ? nil : services, podCIDRs: pods.isEmpty ? nil : pods)
        let bounds = self.nodePortRange.split(separator: "-").map { Int($0) }
        guard bounds.count == 2, let low = bounds[0], let high = bounds[1], 1 <= low, low <= high, high <= 65535 else {
            throw ValidationError("--service-node-port-range must be LOW-HIGH within 1-65535, got \"\(self.nodePortRange)\"")
        }
        options.nodePortRange = low...high
        guard self.maximumSynthesizedPods >= 0 else {
            throw ValidationError("--max-synthesized-pods must be 0 or more, got \(self.maximumSynthesizedPods)")
        }
        options.maximumSynthesizedPods = self.maximumSynthesizedPods
        return options
    }

    private static func networks(_ values: [String], flag: String) throws -> [IPNetwork] {
        var result: [IPNetwork] = []
        for value in values.flatMap({ $0.split(separator: ",") }) {
            guard let network = IPNetwork(value.trimmingCharacters(in: " ")) else {
                throw ValidationError("\(flag) must be a CIDR such as 10.96.0.0/12, got \"\(value)\"")
            }
            if let overlap = result.first(where: { $0.contains(network.address) || network.contains($0.address) }) {
                throw ValidationError("\(flag) blocks must not overlap, got \(overlap) and \(network)")
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
