import IPAddressing
import Manifests

extension ClusterBuilder {
    /// The pods of the cluster: those in the manifests, plus `replicas` synthesized pods for each
    /// workload that owns none of them (a dump of a real cluster already holds its pods).
    /// `serviceFamilies` are the address families each namespace's Services use: without
    /// `--pod-cidr`, a pod without an address gets one of each (IPv4 when there are none).
    mutating func derivePods(
        explicit: [Pod], workloads: [Workload], serviceFamilies: [String: Set<IPAddress.Family>] = [:]
    ) -> [ClusterPod] {
        var pods: [ClusterPod] = []
        pods.reserveCapacity(explicit.count)
        for pod in explicit {
            if let problem = self.podAddressProblem(pod) {
                let subject = "Pod \(pod.metadata.namespace)/\(pod.metadata.name)"
                if let location = pod.podIPsLocation {
                    self.report(.error(at: location, "\(subject): \(problem)"), namespace: pod.metadata.namespace)
                }
                continue
            }
            var clusterPod = ClusterPod(
                namespace: pod.metadata.namespace, name: pod.metadata.name, ips: AddressList(pod.podIPs),
                labels: pod.metadata.labels, hostname: pod.hostname, subdomain: pod.subdomain, ports: pod.ports,
                isReady: pod.isReady, isTerminated: pod.phase == "Succeeded" || pod.phase == "Failed",
                isTerminating: pod.metadata.deletionTimestamp != nil)
            clusterPod.hostNetwork = pod.hostNetwork
            pods.append(clusterPod)
        }
        // ReplicaSets by name, with the Deployment controlling each.
        var replicaSetOwner: [String: String] = [:]
        for workload in workloads where workload.kind == .replicaSet {
            if let owner = workload.metadata.controller, owner.kind == "Deployment" {
                replicaSetOwner["\(workload.metadata.namespace)/\(workload.metadata.name)"] = owner.name
            }
        }
        var synthesized = self.reserved.synthesizedPods
        for workload in workloads {
            let namespace = workload.metadata.namespace
            if workload.kind == .deployment,
                replicaSetOwner.contains(where: { $0.key.hasPrefix(namespace + "/") && $0.value == workload.metadata.name })
            {
                continue  // its ReplicaSet is in the manifests and stands for it
            }
            if explicit.contains(where: { self.owns(workload, $0, replicaSetOwner: replicaSetOwner) }) { continue }
            // The cap, per workload and in total: past it, the workload is an error and gets no pods.
            let cap = self.options.maximumSynthesizedPods
            if workload.replicas > cap || synthesized + workload.replicas > cap {
                let subject = "\(workload.kind.rawValue) \(namespace)/\(workload.metadata.name)"
                let reason =
                    workload.replicas > cap
                    ? "spec.replicas \(workload.replicas) is more pods than --max-synthesized-pods \(cap) allows"
                    : "spec.replicas \(workload.replicas) would take the pods synthesized past --max-synthesized-pods \(cap) (\(synthesized) already)"
                self.report(
                    .error(at: workload.replicasLocation ?? SourceLocation(file: "", line: 0, column: 0),
                        "\(subject): \(reason); it gets no pods"),
                    namespace: namespace)
                self.synthesisCapReached += 1
                continue
            }
            synthesized += workload.replicas
            pods += Self.synthesize(workload)
            self.summary.podsSynthesized += workload.replicas
        }
        self.allocatePodAddresses(&pods, serviceFamilies: serviceFamilies)
        return pods
    }

    /// Why a pod's explicit addresses cannot be served, or nil. Only `--pod-cidr` is a promise
    /// to check against, and never for a host-network pod (it has its node's address).
    private func podAddressProblem(_ pod: Pod) -> String? {
        guard self.options.checksPodAddresses, !pod.hostNetwork else { return nil }
        for address in pod.podIPs where !self.options.podCIDRs.contains(where: { $0.contains(address) }) {
            let blocks = self.options.podCIDRs.filter { $0.family == address.family }
            if blocks.isEmpty {
                return "status.podIPs holds \(address), and the cluster has no \(address.family.rawValue) pod CIDR"
            }
            return "status.podIPs holds \(address), which is not in the pod CIDR "
                + blocks.map(\.description).joined(separator: ", ") + " (a host-network pod says spec.hostNetwork: true)"
        }
        return nil
    }

    /// Whether `pod` belongs to `workload`: by its controller reference (directly, or through a
    /// ReplicaSet for a Deployment), or, when it has no owner at all, by the workload's selector.
    private func owns(_ workload: Workload, _ pod: Pod, replicaSetOwner: [String: String]) -> Bool {
        guard pod.metadata.namespace == workload.metadata.namespace else { return false }
        let name = workload.metadata.name
        guard let owner = pod.metadata.controller else {
            return workload.selector.matches(pod.metadata.labels)
        }
        if owner.kind == workload.kind.rawValue && owner.name == name { return true }
        if workload.kind == .deployment, owner.kind == "ReplicaSet" {
            if let deployment = replicaSetOwner["\(pod.metadata.namespace)/\(owner.name)"] { return deployment == name }
            return owner.name.hasPrefix(name + "-")
        }
        return false
    }

    private static func synthesize(_ workload: Workload) -> [ClusterPod] {
        let namespace = workload.metadata.namespace
        let name = workload.metadata.name
        let template = workload.template
        return (0..<workload.replicas).map { ordinal in
            var pod = ClusterPod(
                namespace: namespace, name: "", labels: template.labels, hostname: template.hostname,
                subdomain: template.subdomain, ports: template.ports,
                synthesizedFor: "\(workload.kind.rawValue)/\(name)")
            switch workload.kind {
            case .statefulSet:
                // StatefulSet pods are named by ordinal; hostname is the pod name, subdomain the
                // governing service, which gives each a stable DNS name.
                pod.name = PodNaming.statefulSetPodName(statefulSet: name, ordinal: ordinal)
                pod.hostname = NameRules.hostname(fromPodName: pod.name)
                pod.subdomain = workload.serviceName
            case .deployment:
                let replicaSet = PodNaming.replicaSetName(deployment: name, namespace: namespace)
                pod.name = PodNaming.replicaSetPodName(replicaSet: replicaSet, namespace: namespace, ordinal: ordinal)
            default:
                pod.name = PodNaming.replicaSetPodName(replicaSet: name, namespace: namespace, ordinal: ordinal)
            }
            return pod
        }
    }

    /// Pod IPs for pods without one: one per pod CIDR family with `--pod-cidr`, else one per
    /// family the namespace's Services use; explicit IPs are reserved first.
    private mutating func allocatePodAddresses(
        _ pods: inout [ClusterPod], serviceFamilies: [String: Set<IPAddress.Family>]
    ) {
        var allocators = AddressPool.byFamily(self.options.podCIDRs, takenElsewhere: self.reserved.podIP)
        for pod in pods {
            for address in pod.ips { allocators[address.family]?.reserve(address) }
        }
        let configured = self.options.podFamilies
        func families(of namespace: String) -> [IPAddress.Family] {
            if self.options.checksPodAddresses { return configured }
            let used = serviceFamilies[namespace] ?? []
            let wanted = configured.filter { used.contains($0) }
            return wanted.isEmpty ? Array(configured.prefix(1)) : wanted
        }
        var requests: [(key: String, index: Int, family: IPAddress.Family)] = []
        var familiesByPod: [Int: [IPAddress.Family]] = [:]
        for (index, pod) in pods.enumerated() where pod.ips.isEmpty && !pod.isTerminated {
            let podFamilies = families(of: pod.namespace)
            familiesByPod[index] = podFamilies
            for family in podFamilies {
                requests.append((AllocationTable.addressKey(pod.namespace, pod.name, family), index, family))
            }
        }
        requests.sort { $0.key < $1.key }
        var granted: [String: IPAddress] = [:]
        for request in requests {
            guard let hint = self.hints.podIPs[request.key], allocators[request.family]?.isTaken(hint) == false else {
                continue
            }
            granted[request.key] = allocators[request.family]?.allocate(request.key, hint: hint)
        }
        for request in requests where granted[request.key] == nil {
            granted[request.key] = allocators[request.family]?.allocate(request.key, hint: nil)
        }
        // Each pod's addresses in the blocks' order, so the primary family comes first.
        for (index, podFamilies) in familiesByPod {
            for family in podFamilies {
                let key = AllocationTable.addressKey(pods[index].namespace, pods[index].name, family)
                if let address = granted[key] {
                    pods[index].ips.append(address)
                    self.allocations.podIPs[key] = address
                }
            }
        }
    }
}
