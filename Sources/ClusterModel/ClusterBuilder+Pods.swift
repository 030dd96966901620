import Manifests

extension ClusterBuilder {
    /// The pods of the cluster: those in the manifests, plus `replicas` synthesized pods for each
    /// workload that owns none of them (a dump of a real cluster already holds its pods).
    mutating func derivePods(explicit: [Pod], workloads: [Workload]) -> [ClusterPod] {
        var pods: [ClusterPod] = explicit.map { pod in
            ClusterPod(
                namespace: pod.metadata.namespace, name: pod.metadata.name, ips: pod.podIPs, labels: pod.metadata.labels,
                hostname: pod.hostname, subdomain: pod.subdomain, ports: pod.ports, isReady: pod.isReady,
                isTerminated: pod.phase == "Succeeded" || pod.phase == "Failed",
                isTerminating: pod.metadata.deletionTimestamp != nil)
        }
        // ReplicaSets by name, with the Deployment controlling each.
        var replicaSetOwner: [String: String] = [:]
        for workload in workloads where workload.kind == .replicaSet {
            if let owner = workload.metadata.controller, owner.kind == "Deployment" {
                replicaSetOwner["\(workload.metadata.namespace)/\(workload.metadata.name)"] = owner.name
            }
        }
        for workload in workloads {
            let namespace = workload.metadata.namespace
            if workload.kind == .deployment,
                replicaSetOwner.contains(where: { $0.key.hasPrefix(namespace + "/") && $0.value == workload.metadata.name })
            {
                continue  // its ReplicaSet is in the manifests and stands for it
            }
            if explicit.contains(where: { self.owns(workload, $0, replicaSetOwner: replicaSetOwner) }) { continue }
            pods += Self.synthesize(workload)
            self.summary.podsSynthesized += workload.replicas
        }
        self.allocatePodAddresses(&pods)
        return pods
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
                pod.hostname = pod.name
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

    /// Pod IPs for pods without one, one per pod CIDR family; explicit IPs are reserved first.
    private mutating func allocatePodAddresses(_ pods: inout [ClusterPod]) {
        var allocators: [IPAddress.Family: AddressAllocator] = [:]
        for network in self.options.podCIDRs where allocators[network.family] == nil {
            allocators[network.family] = AddressAllocator(network: network, takenElsewhere: self.reserved.podIP)
        }
        for pod in pods {
            for address in pod.ips { _ = allocators[address.family]?.reserve(address) }
        }
        var requests: [(key: String, index: Int, family: IPAddress.Family)] = []
        for (index, pod) in pods.enumerated() where pod.ips.isEmpty && !pod.isTerminated {
            for network in self.options.podCIDRs {
                requests.append((AllocationTable.addressKey(pod.namespace, pod.name, network.family), index, network.family))
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
        // Each pod's addresses in the CIDRs' order, so the primary family comes first.
        for (index, pod) in pods.enumerated() where pod.ips.isEmpty && !pod.isTerminated {
            for network in self.options.podCIDRs {
                let key = AllocationTable.addressKey(pod.namespace, pod.name, network.family)
                if let address = granted[key] {
                    pods[index].ips.append(address)
                    self.allocations.podIPs[key] = address
                }
            }
        }
    }
}
