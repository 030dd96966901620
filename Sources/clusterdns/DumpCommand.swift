import ArgumentParser
import ClusterModel
import DNSWire
import Manifests
import ZoneCompiler

/// `clusterdns dump`: every record the server would answer from, as a master file on stdout.
struct DumpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract:
            "Print every record served, as an RFC 1035 zone file (the cluster zone, then the reverse zones and the zone files' zones)."
    )

    @OptionGroup var manifestOptions: ManifestOptions
    @OptionGroup(title: "Cluster from an API server") var sourceFlags: ClusterSourceFlags
    @OptionGroup var modelFlags: ModelFlags
    @OptionGroup var recordFlags: RecordFlags

    @Option(help: ArgumentHelp("SOA serial to print.", valueName: "N"))
    var serial: UInt32 = 1

    @Option(help: ArgumentHelp("Print only the zone with this apex (one zone per file, as NSD loads).", valueName: "ZONE"))
    var zone: String?

    @Flag(help: .hidden)
    var timings = false

    func run() async throws {
        let clock = ContinuousClock()
        var stageStart = clock.now
        func stage(_ name: String) {
            guard self.timings else { return }
            let now = clock.now
            StandardError.line("timing: \(name) \(now - stageStart)")
            stageStart = now
        }
        let model = try self.modelFlags.modelOptions()
        let options = try self.recordFlags.recordOptions(model: model, serial: self.serial)
        let files = try await ManifestLoading.files(
            self.manifestOptions, self.sourceFlags, ingresses: !options.externalZones.isEmpty
        ).files
        stage("load")
        let derivation = ClusterBuilder.derive(files, options: model)
        for diagnostic in derivation.diagnostics { StandardError.line("\(diagnostic)") }
        stage("derive")
        let snapshot = RecordSnapshot.build(derivation.cluster, options: options, zoneFiles: FileZoneSet.zoneFiles(in: files))
        for problem in snapshot.problems { StandardError.line("warning: \(problem)") }
        stage("generate+compile")
        var only: DomainName?
        let zones = snapshot.zones
        if let zone = self.zone {
            let served = zones.map(\.apex)
            guard let name = DomainName(zone.hasSuffix(".") ? zone : zone + "."), served.contains(name) else {
                let apexes = served.map(\.description).joined(separator: ", ")
                throw ValidationError("--zone \(zone) is not one of the zones served: \(apexes)")
            }
            only = name
        }
        let text = RecordSnapshot.zoneText(zones, only: only)
        stage("render")
        print(text, terminator: "")
    }
}
