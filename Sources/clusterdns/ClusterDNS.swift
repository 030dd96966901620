import ArgumentParser

/// `clusterdns`: serve, dump and check Kubernetes DNS from a directory of manifests.
struct ClusterDNS: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "clusterdns",
        abstract: "Cluster DNS for Kubernetes-style service discovery, served from plain manifests.",
        version: Self.version,
        subcommands: [ServeCommand.self, DumpCommand.self, CheckCommand.self, ExplainCommand.self]
    )
}
