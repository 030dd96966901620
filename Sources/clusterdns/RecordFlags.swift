import ArgumentParser
import ClusterModel
import DNSWire
import IPAddressing
import Manifests
import ZoneCompiler

/// How records are made: `--domain`, `--ttl`, `--pods`, `--dns-ip`, `--external-zone`.
struct RecordFlags: ParsableArguments {
    @Option(help: ArgumentHelp("The cluster domain.", valueName: "DOMAIN"))
    var domain: String = "cluster.local"

    @Option(help: ArgumentHelp("TTL of every record, in seconds (also the negative-caching TTL).", valueName: "SECONDS"))
    var ttl: UInt32 = 5

    @Option(
        help: ArgumentHelp(
            "Pod records <a-b-c-d>.<ns>.pod.<domain>: verified (pods that exist), insecure (any IP), disabled.",
            valueName: "MODE"))
    var pods: String = "verified"

    @Option(
        name: .customLong("dns-ip"),
        help: ArgumentHelp(
            "Address of ns.dns.<domain> when the manifests hold no kube-system/kube-dns Service.", valueName: "IP"))
    var dnsIP: String = "10.96.0.10"

    @Option(
        name: .customLong("external-zone"),
        help: ArgumentHelp(
            "A zone answering <svc>.<ns>.<zone> with Services' load balancer and external IPs, and Ingress hosts inside it with their load balancer's (repeatable).",
            valueName: "ZONE"))
    var externalZones: [String] = []

    func validate() throws {
        _ = try self.recordOptions(model: ModelOptions())
    }

    /// The flags as `RecordOptions` (the reverse zones follow the model's CIDRs).
    func recordOptions(model: ModelOptions, serial: UInt32 = 1) throws -> RecordOptions {
        let text = self.domain.hasSuffix(".") ? self.domain : self.domain + "."
        guard let domain = DomainName(text), !domain.isRoot,
            domain.labelBytes.allSatisfy({ NameRules.dns1123LabelProblem(String(decoding: $0, as: UTF8.self)) == nil })
        else {
            throw ValidationError("--domain must be a domain name such as cluster.local, got \"\(self.domain)\"")
        }
        // The names every zone has must fit in 255 octets (RFC 1035 §2.3.4) under the domain.
        for labels in ClusterNames.fixedLabels where labels.reduce(domain.wire.count, { $0 + 1 + $1.utf8.count }) > 255 {
            throw ValidationError(
                "--domain \"\(self.domain)\" is too long: \(labels.joined(separator: ".")).\(self.domain) would be longer than 255 octets")
        }
        guard let mode = PodRecordsMode(rawValue: self.pods) else {
            throw ValidationError("--pods must be verified, insecure or disabled, got \"\(self.pods)\"")
        }
        guard let dnsIP = IPAddress(self.dnsIP) else {
            throw ValidationError("--dns-ip must be an IP address, got \"\(self.dnsIP)\"")
        }
        var options = RecordOptions(
            domain: domain, ttl: self.ttl, serial: serial, pods: mode, dnsIP: dnsIP,
            reverseCIDRs: model.allocationCIDRs)
        options.externalZones = try self.externalZones.map { try Self.externalZone($0, domain: domain) }
        if let repeated = options.externalZones.first(where: { zone in options.externalZones.filter { $0 == zone }.count > 1 }) {
            throw ValidationError("--external-zone \(repeated) is given twice")
        }
        return options
    }

    /// One `--external-zone`: a domain name outside the cluster zone and the reverse trees.
    private static func externalZone(_ text: String, domain: DomainName) throws -> DomainName {
        let absolute = text.hasSuffix(".") ? text : text + "."
        guard let zone = DomainName(absolute), !zone.isRoot,
            zone.labelBytes.allSatisfy({ NameRules.dns1123LabelProblem(String(decoding: $0, as: UTF8.self)) == nil })
        else {
            throw ValidationError("--external-zone must be a domain name such as example.org, got \"\(text)\"")
        }
        guard !zone.isSubdomain(of: domain) else {
            throw ValidationError("--external-zone \(text) lies in the cluster zone \(domain)")
        }
        for tree in ["in-addr.arpa.", "ip6.arpa."] where DomainName(tree).map({ zone.isSubdomain(of: $0) }) == true {
            throw ValidationError("--external-zone \(text) lies in \(tree), where the reverse zones are")
        }
        return zone
    }
}
