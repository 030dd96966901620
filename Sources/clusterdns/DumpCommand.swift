import ArgumentParser
import ClusterModel
import DNSWire
import Manifests
import ZoneCompiler

/// `clusterdns dump`: every record the server would answer from, as a master file on stdout.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print every record served, as an RFC 1035 zone file (the cluster zone, then the reverse zones)."
    )

    @OptionGroup var manifestOptions: ManifestOptions
    @OptionGroup var modelFlags: ModelFlags
    @OptionGroup var recordFlags: RecordFlags

    @Option(help: ArgumentHelp("SOA serial to print.", valueName: "N"))
    var serial: UInt32 = 1

    @Option(help: ArgumentHelp("Print only the zone with this apex (one zone per file, as NSD loads).", valueName: "ZONE"))
    var zone: String?

    func run() throws {
        let model = try self.modelFlags.modelOptions()
        let options = try self.recordFlags.recordOptions(model: model, serial: self.serial)
        let derivation: ClusterDerivation
        do {
            derivation = try ManifestLoading.derive(root: self.manifestOptions.root, options: model)
        } catch let error as ManifestLoading.MissingRoot {
            StandardError.line("error: \(error)")
            throw ExitCode(2)
        }
        for diagnostic in derivation.diagnostics { StandardError.line("\(diagnostic)") }
        let snapshot = RecordSnapshot.build(derivation.cluster, options: options)
        var only: DomainName?
        if let zone = self.zone {
            guard let name = DomainName(zone.hasSuffix(".") ? zone : zone + "."), snapshot.zone(named: name) != nil else {
                let apexes = snapshot.zones.map { $0.apex.description }.joined(separator: ", ")
                throw ValidationError("--zone \(zone) is not one of the zones served: \(apexes)")
            }
            only = name
        }
        print(snapshot.zoneText(only: only), terminator: "")
    }
}
