import IPAddressing
import Manifests
import CoreSharing

/// Derives the cluster again after some files changed, redoing only the namespaces those files
/// touch (before or after the change): their objects are derived as a cluster of their own, with
/// every address and node port the other namespaces hold reserved, and replace their old part.
/// An explicit claim on an address held elsewhere — where file order decides who keeps it —
/// falls back to a full derivation, as does the first one.
package struct IncrementalClusterBuilder: Sendable {
    package let options: ModelOptions
    private var cluster = Cluster()
    /// The namespaces each file's objects are about (a Namespace object: the one it defines).
    private var namespacesOfFile: [String: Set<String>] = [:]
    private var allocationsByNamespace: [String: NamespaceAllocations] = [:]
    private var modelDiagnostics: [String: [ManifestDiagnostic]] = [:]
    private var serviceIPOwner: [IPAddress: String] = [:]
    private var podIPOwner: [IPAddress: String] = [:]
    private var nodePortOwner: [Int: String] = [:]
    private var built = false

    package init(options: ModelOptions) {
        self.options = options
    }

    /// The result of one derivation: the cluster, every diagnostic, and the namespaces whose
    /// services or pods differ from the previous derivation's (or that appeared or went): the one
    /// statement of what a change did, which the compiler takes as it is.
    package struct Result: Sendable {
        package var derivation: ClusterDerivation
        package var changedNamespaces: Set<String>
    }

    /// Derives from `files` (all of them, in path order), given the paths that changed since the
    /// last call (added, changed or removed). `objects` gives a file's objects: a source may hold
    /// some files' objects elsewhere (`ManifestTree.setAsideExclusiveFiles`); it is asked only for
    /// files that name a namespace being derived.
    package mutating func derive(
        _ files: [ManifestFile], changed: Set<String>,
        objects: (ManifestFile) -> [ManifestObject] = { $0.objects }
    ) -> Result {
        var newNamespacesOfFile: [String: Set<String>] = [:]
        for file in files where changed.contains(file.path) || !self.built {
            newNamespacesOfFile[file.path] = ManifestObject.subjectNamespaces(of: objects(file))
        }
        guard self.built else { return self.full(files, namespacesOfFile: newNamespacesOfFile, objects: objects) }

        var dirty: Set<String> = []
        // The set of namespaces changes only when a changed file's namespaces do.
        let namespacesMoved = changed.contains { self.namespacesOfFile[$0] != newNamespacesOfFile[$0] }
        for path in changed {
            dirty.formUnion(self.namespacesOfFile[path] ?? [])
            dirty.formUnion(newNamespacesOfFile[path] ?? [])
            self.namespacesOfFile[path] = newNamespacesOfFile[path]
        }
        CoreSharing.checkpoint()
        let fileDiagnostics = files.flatMap(\.diagnostics)
        CoreSharing.checkpoint()
        guard !dirty.isEmpty else {
            return Result(derivation: self.derivation(fileDiagnostics), changedNamespaces: [])
        }

        // An explicit claim on an address another namespace got by allocation wins (explicit claims
        // are placed before anything is allocated), so that namespace is derived again too and its
        // service moves. Only a claim on another namespace's own explicit claim needs file order.
        var partial = self.derivePart(files, dirty: dirty, objects: objects)
        while partial.reservedConflict {
            let holders = self.allocatedHolders(contestedBy: files, dirty: dirty, objects: objects)
            guard !holders.isEmpty else {
                self.built = false
                return self.full(
                    files, namespacesOfFile: self.namespacesOfFile.merging(newNamespacesOfFile) { $1 }, objects: objects)
            }
            dirty.formUnion(holders)
            partial = self.derivePart(files, dirty: dirty, objects: objects)
        }
        // Only the dirty namespaces can change (the others' files did not, so neither did their
        // partitions nor whether they exist): their partitions are kept for the comparison, not
        // the whole cluster, whose partition map would otherwise be copied by the first change.
        var before: [String: NamespacePartition?] = [:]
        for namespace in dirty { before[namespace] = self.cluster.partition(of: namespace) }
        CoreSharing.checkpoint()
        self.forget(dirty)
        self.absorb(partial, namespaces: dirty)
        if namespacesMoved {
            var namespaces: Set<String> = []
            for set in self.namespacesOfFile.values {
                CoreSharing.checkpoint()
                namespaces.formUnion(set)
            }
            CoreSharing.checkpoint()
            self.cluster.namespaces = namespaces.sorted()
        }
        var derivation = self.derivation(fileDiagnostics)
        derivation.synthesisCapReached = partial.synthesisCapReached
        // Derived again is not changed: a file re-read to the same objects changes nothing.
        var changed: Set<String> = []
        for (namespace, partition) in before where self.cluster.partition(of: namespace) != partition {
            CoreSharing.checkpoint()
            changed.insert(namespace)
        }
        return Result(derivation: derivation, changedNamespaces: changed)
    }

    /// The dirty namespaces derived as a cluster of their own, everything else's resources reserved.
    private func derivePart(
        _ files: [ManifestFile], dirty: Set<String>, objects: (ManifestFile) -> [ManifestObject]
    ) -> ClusterDerivation {
        // The dirty namespaces' objects, in file order, as files of their own.
        let subset = files.compactMap { file -> ManifestFile? in
            CoreSharing.checkpoint()
            guard let namespaces = self.namespacesOfFile[file.path], !namespaces.isDisjoint(with: dirty) else { return nil }
            return ManifestFile(path: file.path, objects: objects(file).filter { dirty.contains($0.subjectNamespace) })
        }
        var hints = AllocationTable()
        for namespace in dirty { self.allocationsByNamespace[namespace]?.addHints(namespace: namespace, to: &hints) }
        let serviceOwners = self.serviceIPOwner
        let portOwners = self.nodePortOwner
        let podOwners = self.podIPOwner
        var synthesizedElsewhere = 0
        for (namespace, partition) in self.cluster.partitions where !dirty.contains(namespace) {
            CoreSharing.checkpoint()
            synthesizedElsewhere += partition.pods.lazy.filter { $0.synthesizedFor != nil }.count
        }
        let reserved = ReservedResources(
            serviceIP: { address in serviceOwners[address].map { !dirty.contains($0) } ?? false },
            podIP: { address in podOwners[address].map { !dirty.contains($0) } ?? false },
            nodePort: { port in portOwners[port].map { !dirty.contains($0) } ?? false },
            synthesizedPods: synthesizedElsewhere)
        return ClusterBuilder.derive(subset, options: self.options, hints: hints, reserved: reserved)
    }

    /// The namespaces outside `dirty` holding, by allocation, a cluster IP or node port that a
    /// dirty namespace's service claims explicitly.
    private func allocatedHolders(
        contestedBy files: [ManifestFile], dirty: Set<String>, objects: (ManifestFile) -> [ManifestObject]
    ) -> Set<String> {
        var holders: Set<String> = []
        for file in files {
            guard let namespaces = self.namespacesOfFile[file.path], !namespaces.isDisjoint(with: dirty) else { continue }
            for object in objects(file) where dirty.contains(object.subjectNamespace) {
                CoreSharing.checkpoint()
                guard case .service(let service) = object.body else { continue }
                for address in service.clusterIPs.compactMap({ IPAddress($0) }) {
                    guard let holder = self.serviceIPOwner[address], !dirty.contains(holder),
                        self.allocationsByNamespace[holder]?.serviceIPs.contains(where: { $0.address == address }) == true
                    else { continue }
                    holders.insert(holder)
                }
                for nodePort in service.ports.compactMap(\.nodePort) {
                    guard let holder = self.nodePortOwner[nodePort], !dirty.contains(holder),
                        self.allocationsByNamespace[holder]?.nodePorts.contains(where: { $0.port == nodePort }) == true
                    else { continue }
                    holders.insert(holder)
                }
            }
        }
        return holders
    }

    private mutating func full(
        _ files: [ManifestFile], namespacesOfFile: [String: Set<String>], objects: (ManifestFile) -> [ManifestObject]
    ) -> Result {
        var hints = AllocationTable()
        for (namespace, allocations) in self.allocationsByNamespace { allocations.addHints(namespace: namespace, to: &hints) }
        let whole = files.map { file in
            var file = file
            file.objects = objects(file)
            return file
        }
        let derivation = ClusterBuilder.derive(whole, options: self.options, hints: hints)
        let previous = self.cluster
        self.cluster = Cluster(namespaces: derivation.cluster.namespaces, partitions: [:])
        let present = Set(files.map(\.path))
        self.namespacesOfFile = namespacesOfFile.filter { present.contains($0.key) }
        self.allocationsByNamespace = [:]
        self.modelDiagnostics = [:]
        // Sized for the whole cluster before `absorb` fills them (at L, 100,000 addresses).
        var addresses = (services: 0, pods: 0)
        for partition in derivation.cluster.partitions.values {
            for index in partition.services.indices { addresses.services += partition.services[index].clusterIPs.count }
            for index in partition.pods.indices { addresses.pods += partition.pods[index].ips.count }
        }
        self.serviceIPOwner = Dictionary(minimumCapacity: addresses.services)
        self.podIPOwner = Dictionary(minimumCapacity: addresses.pods)
        self.nodePortOwner = [:]
        self.absorb(derivation, namespaces: Set(derivation.cluster.partitions.keys).union(derivation.cluster.namespaces))
        self.cluster.namespaces = derivation.cluster.namespaces
        self.built = true
        return Result(derivation: derivation, changedNamespaces: self.cluster.namespacesChanged(since: previous))
    }

    /// Drops what the namespaces held.
    private mutating func forget(_ namespaces: Set<String>) {
        for namespace in namespaces {
            CoreSharing.checkpoint()
            for service in self.cluster.partitions[namespace]?.services ?? [] {
                for address in service.clusterIPs where self.serviceIPOwner[address] == namespace {
                    self.serviceIPOwner[address] = nil
                }
                for port in service.ports {
                    if let nodePort = port.nodePort, self.nodePortOwner[nodePort] == namespace { self.nodePortOwner[nodePort] = nil }
                }
            }
            for pod in self.cluster.partitions[namespace]?.pods ?? [] {
                for address in pod.ips where self.podIPOwner[address] == namespace { self.podIPOwner[address] = nil }
            }
            self.cluster.partitions[namespace] = nil
            self.allocationsByNamespace[namespace] = nil
            self.modelDiagnostics[namespace] = nil
        }
    }

    /// Takes in what a derivation made of `namespaces`.
    private mutating func absorb(_ derivation: ClusterDerivation, namespaces: Set<String>) {
        for namespace in namespaces {
            guard let partition = derivation.cluster.partitions[namespace] else { continue }
            self.cluster.partitions[namespace] = partition
            let allocations = NamespaceAllocations(namespace, partition, from: derivation.allocations)
            if !allocations.isEmpty { self.allocationsByNamespace[namespace] = allocations }
            CoreSharing.checkpoint()
            // Read by index: a copy of a service or pod retains each of its fields.
            for index in partition.services.indices {
                for address in partition.services[index].clusterIPs { self.serviceIPOwner[address] = namespace }
                for port in partition.services[index].ports {
                    if let nodePort = port.nodePort { self.nodePortOwner[nodePort] = namespace }
                }
            }
            for index in partition.pods.indices {
                for address in partition.pods[index].ips { self.podIPOwner[address] = namespace }
            }
        }
        for (namespace, diagnostic) in derivation.modelDiagnostics {
            self.modelDiagnostics[namespace, default: []].append(diagnostic)
        }
    }

    private func derivation(_ fileDiagnostics: [ManifestDiagnostic]) -> ClusterDerivation {
        let diagnostics = (fileDiagnostics + self.modelDiagnostics.values.flatMap { $0 }).sorted()
        var summary = ClusterSummary()
        summary.errors = diagnostics.lazy.filter(\.isError).count
        summary.warnings = diagnostics.count - summary.errors
        return ClusterDerivation(cluster: self.cluster, diagnostics: diagnostics, allocations: AllocationTable(), summary: summary)
    }
}
