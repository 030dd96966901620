import ArgumentParser
import ClusterModel
import DNSWire
import Explain
import Manifests
import ZoneCompiler

/// `clusterdns explain NAME [TYPE]`: the answer `serve` would give, each record with the file
/// and line that made it; for a missing name, why. Exit 0 when the name exists, 1 when it does
/// not, 2 on a malformed name or a usage error.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show the answer serve gives to NAME, with the manifest or zone-file line behind each record; for a missing name, why."
    )

    @Argument(help: ArgumentHelp("The name to explain, e.g. web.default.svc.cluster.local.", valueName: "NAME"))
    var name: String

    @Argument(help: ArgumentHelp("The record type (A, AAAA, SRV, PTR, TXT, CNAME, MX, SOA, NS, TYPE<n>).", valueName: "TYPE"))
    var type: String = "A"

    @OptionGroup var manifestOptions: ManifestOptions

    @OptionGroup(title: "Cluster from an API server") var sourceFlags: ClusterSourceFlags
    @OptionGroup var modelFlags: ModelFlags
    @OptionGroup var recordFlags: RecordFlags

    func validate() throws {
        _ = try self.question()
    }

    /// The name and type asked, or a usage error.
    private func question() throws -> (DomainName, RRType) {
        let text = self.name.hasSuffix(".") ? self.name : self.name + "."
        guard !self.name.isEmpty, let name = DomainName(text) else {
            throw ValidationError("\"\(self.name)\" is not a domain name (labels of 1 to 63 octets, 255 in all)")
        }
        guard let type = RRType(self.type), type != .opt else {
            throw ValidationError("\"\(self.type)\" is not a record type (A, AAAA, SRV, PTR, TXT, CNAME, TYPE<n>...)")
        }
        guard type != .axfr, type != .ixfr else {
            throw ValidationError("zone transfers are not explained: `clusterdns dump --zone ZONE` prints a zone")
        }
        return (name, type)
    }

    func run() async throws {
        let (name, type) = try self.question()
        let model = try self.modelFlags.modelOptions()
        let options = try self.recordFlags.recordOptions(model: model)
        let files = try await ManifestLoading.files(
            self.manifestOptions, self.sourceFlags, ingresses: !options.externalZones.isEmpty
        ).files
        let derivation = ClusterBuilder.derive(files, options: model)
        let snapshot = RecordSnapshot.build(derivation.cluster, options: options, zoneFiles: FileZoneSet.zoneFiles(in: files))
        let explanation = NameExplainer(files: files, derivation: derivation, snapshot: snapshot).explain(name, type)
        print(explanation.text, terminator: "")
        if !explanation.exists { throw ExitCode(1) }
    }
}
