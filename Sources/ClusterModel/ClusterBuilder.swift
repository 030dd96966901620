import IPAddressing
import Manifests
import CoreSharing

/// Derives the `Cluster` from parsed manifest files, as the control plane would: cross-object
/// validation (duplicates, address and node-port conflicts), allocation, workload pods and
/// endpoints. Pure: the same files, options and hints always give the same cluster.
package struct ClusterBuilder {
    let options: ModelOptions
    let hints: AllocationTable
    let reserved: ReservedResources
    var diagnostics: [ManifestDiagnostic] = []
    /// The diagnostics the derivation itself made (not the files'), with the namespace each is about.
    var modelDiagnostics: [(namespace: String, diagnostic: ManifestDiagnostic)] = []
    /// An explicit address or node port collided with a reserved one.
    var reservedConflict = false
    var allocations = AllocationTable()
    var summary = ClusterSummary()
    /// Workloads refused pods by `--max-synthesized-pods`.
    var synthesisCapReached = 0
    /// Where each headless service is defined, for diagnostics about what it became.
    var serviceLocations: [ObjectIdentity: SourceLocation] = [:]

    /// Derives the cluster from `files` (in the order given: path order, as scanned).
    package static func derive(
        _ files: [ManifestFile], options: ModelOptions = ModelOptions(), hints: AllocationTable = AllocationTable(),
        reserved: ReservedResources = .none
    ) -> ClusterDerivation {
        var builder = ClusterBuilder(options: options, hints: hints, reserved: reserved)
        let cluster = builder.build(files)
        builder.diagnostics.sort()
        builder.summary.errors = builder.diagnostics.lazy.filter(\.isError).count
        builder.summary.warnings = builder.diagnostics.count - builder.summary.errors
        var derivation = ClusterDerivation(
            cluster: cluster, diagnostics: builder.diagnostics, allocations: builder.allocations,
            summary: builder.summary)
        derivation.modelDiagnostics = builder.modelDiagnostics
        derivation.reservedConflict = builder.reservedConflict
        derivation.synthesisCapReached = builder.synthesisCapReached
        return derivation
    }

    /// A diagnostic of the derivation about `namespace`.
    mutating func report(_ diagnostic: ManifestDiagnostic, namespace: String) {
        self.diagnostics.append(diagnostic)
        self.modelDiagnostics.append((namespace, diagnostic))
    }

    private mutating func build(_ files: [ManifestFile]) -> Cluster {
        self.summary.files = files.count
        // Every list sized before it is filled: at L the objects are 121,000, and each growth
        // of a list of them copies it into fresh pages. Objects are read in place, by index, here
        // and below: a copy of each (a few hundred bytes, a retain per field) was a third of the loop.
        var counts: [ObjectKind: Int] = [:]
        for file in files {
            for index in file.objects.indices { counts[file.objects[index].kind, default: 0] += 1 }
        }
        var duplicates: [ObjectKind: Int] = [:]
        var firstLocation: [ObjectIdentity: SourceLocation] = [:]
        firstLocation.reserveCapacity(counts.values.reduce(0, +))
        var namespaces: Set<String> = []
        var lastNamespace: String?
        var services: [(service: Service, location: SourceLocation, nameLocation: SourceLocation)] = []
        services.reserveCapacity(counts[.service] ?? 0)
        var pods: [Pod] = []
        pods.reserveCapacity(counts[.pod] ?? 0)
        var workloads: [Workload] = []
        var slices: [EndpointSlice] = []
        slices.reserveCapacity(counts[.endpointSlice] ?? 0)
        var endpointsObjects: [Endpoints] = []
        endpointsObjects.reserveCapacity(counts[.endpoints] ?? 0)
        var ingresses: [ClusterIngress] = []
        for file in files {
            self.diagnostics += file.diagnostics
            for (kind, count) in file.skippedKinds { self.summary.skippedKinds[kind, default: 0] += count }
            for index in file.objects.indices {
                let identity = file.objects[index].identity
                // One hash and probe per object: its location goes in, and a duplicate (rare)
                // puts the first one's back.
                if let first = firstLocation.updateValue(file.objects[index].nameLocation, forKey: identity) {
                    firstLocation[identity] = first
                    duplicates[identity.kind, default: 0] += 1
                    self.report(
                        .error(at: file.objects[index].nameLocation, "\(identity) is already defined at \(first)"),
                        namespace: file.objects[index].subjectNamespace)
                    continue
                }
                switch file.objects[index].body {
                case .namespace(let metadata): namespaces.insert(metadata.name)
                case .service(let service):
                    services.append((service, file.objects[index].location, file.objects[index].nameLocation))
                case .pod(let pod): pods.append(pod)
                case .workload(let workload): workloads.append(workload)
                case .endpointSlice(let slice): slices.append(slice)
                case .endpoints(let endpoints): endpointsObjects.append(endpoints)
                case .ingress(let ingress):
                    ingresses.append(
                        ClusterIngress(
                            namespace: ingress.metadata.namespace, name: ingress.metadata.name,
                            hosts: ingress.hosts.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 },
                            addresses: ingress.loadBalancer.compactMap { $0.ip.flatMap(IPAddress.init) },
                            hostnames: ingress.loadBalancer.compactMap(\.hostname)))
                }
                // A file's objects come namespace by namespace: each one inserted once per run.
                if identity.kind.isNamespaced, identity.namespace != lastNamespace {
                    namespaces.insert(identity.namespace)
                    lastNamespace = identity.namespace
                }
            }
        }
        // Counted per kind, not once per object: every object but the duplicates left out.
        for (kind, count) in counts where count > duplicates[kind, default: 0] {
            self.summary.objectsByKind[kind, default: 0] += count - duplicates[kind, default: 0]
        }

        var clusterServices = self.deriveServices(services)
        var serviceFamilies: [String: Set<IPAddress.Family>] = [:]
        // Services read in place (by index): a copy of a ClusterService retains each of its
        // fields, and these loops run over every service of the cluster.
        for index in clusterServices.indices where clusterServices[index].type != .externalName {
            serviceFamilies[clusterServices[index].namespace, default: []].formUnion(clusterServices[index].ipFamilies)
        }
        let clusterPods = self.derivePods(explicit: pods, workloads: workloads, serviceFamilies: serviceFamilies)
        self.attachEndpoints(&clusterServices, pods: clusterPods, slices: slices, endpoints: endpointsObjects)
        for index in clusterServices.indices {
            let type = clusterServices[index].isHeadless ? "headless" : clusterServices[index].type.rawValue
            self.summary.servicesByType[type, default: 0] += 1
        }
        CoreSharing.checkpoint()
        // Grouped by namespace and sorted by name there (`Cluster.init`): no order needed here.
        return Cluster(namespaces: namespaces.sorted(), services: clusterServices, pods: clusterPods, ingresses: ingresses)
    }
}
