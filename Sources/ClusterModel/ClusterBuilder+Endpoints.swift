import IPAddressing
import Manifests
import CoreSharing

extension ClusterBuilder {
    /// Fills in each service's endpoints. EndpointSlices labelled with the service's name win;
    /// else a legacy Endpoints object of the same name; else, for a service with a selector, the
    /// pods it selects, as the EndpointSlice controller would list them.
    mutating func attachEndpoints(
        _ services: inout [ClusterService], pods: [ClusterPod], slices: [EndpointSlice], endpoints: [Endpoints]
    ) {
        var slicesByService: [ObjectIdentity: [EndpointSlice]] = [:]
        slicesByService.reserveCapacity(slices.count)
        for slice in slices {
            guard let serviceName = slice.serviceName else { continue }
            let service = ObjectIdentity(kind: .service, namespace: slice.metadata.namespace, name: serviceName)
            slicesByService[service, default: []].append(slice)
        }
        var endpointsByService: [ObjectIdentity: Endpoints] = [:]
        endpointsByService.reserveCapacity(endpoints.count)
        for object in endpoints {
            endpointsByService[ObjectIdentity(kind: .service, namespace: object.metadata.namespace, name: object.metadata.name)] = object
        }
        var podsByNamespace: [String: [ClusterPod]] = [:]
        for pod in pods { podsByNamespace[pod.namespace, default: []].append(pod) }

        for index in services.indices {
            CoreSharing.checkpoint()
            // Read in place: a copy of the service would retain each of its fields.
            guard services[index].type != .externalName else { continue }
            let key = ObjectIdentity(kind: .service, namespace: services[index].namespace, name: services[index].name)
            if let serviceSlices = slicesByService[key] {
                services[index].endpoints = Self.endpoints(from: serviceSlices)
            } else if let object = endpointsByService[key] {
                services[index].endpoints = Self.endpoints(from: object)
            } else if let selector = services[index].selector, !selector.isEmpty {
                services[index].endpoints = Self.endpoints(
                    of: services[index], selector: selector, pods: podsByNamespace[services[index].namespace] ?? [])
            }
            self.checkAnswerSize(services[index])
        }
    }

    /// The most endpoints a headless Service's answers can list: one 65,535-byte message (RFC
    /// 1035 §4.2.2) holds about 4,000 A records, 2,300 AAAA, or 2,000 SRV records.
    static let maximumListedEndpoints = 2_000

    /// A headless Service with more published endpoints than one message can list is valid
    /// Kubernetes; its answers hold the first that fit (with TC over UDP), and a warning says so.
    private mutating func checkAnswerSize(_ service: ClusterService) {
        guard service.isHeadless else { return }
        var published = 0
        for endpoint in service.endpoints where service.publishes(endpoint) { published += endpoint.addresses.count }
        guard published > Self.maximumListedEndpoints else { return }
        let key = ObjectIdentity(kind: .service, namespace: service.namespace, name: service.name)
        let location = self.serviceLocations[key] ?? SourceLocation(file: "", line: 0, column: 0)
        self.report(
            .warning(
                at: location,
                "\(key): \(published) published endpoint addresses are more than one DNS message (65,535 bytes) can list; its A, AAAA and SRV answers hold the first that fit, with TC over UDP"),
            namespace: service.namespace)
    }

    private static func endpoints(from slices: [EndpointSlice]) -> [ClusterEndpoint] {
        var result: [ClusterEndpoint] = []
        // Sized before it is filled: it stays in the model (appending would leave slack).
        result.reserveCapacity(slices.reduce(0) { $0 + ($1.addressType == "FQDN" ? 0 : $1.endpoints.count) })
        for slice in slices where slice.addressType != "FQDN" {
            for endpoint in slice.endpoints where !endpoint.addresses.isEmpty {
                let podName = endpoint.targetRef.flatMap { $0.kind == "Pod" ? $0.name : nil }
                // Unknown readiness counts as ready (the API's documented meaning of nil).
                let ready = endpoint.ready ?? true
                // The addresses are copied, not shared with the parsed object: a file's objects are
                // freed once set aside (ManifestTree), and a buffer shared with the model would keep
                // each page of them resident (at L, 20 MiB of RSS).
                result.append(
                    ClusterEndpoint(
                        addresses: AddressList(endpoint.addresses), hostname: endpoint.hostname, isReady: ready,
                        isTerminating: endpoint.terminating ?? false, ports: slice.ports, podName: podName))
            }
        }
        return result
    }

    private static func endpoints(from object: Endpoints) -> [ClusterEndpoint] {
        var result: [ClusterEndpoint] = []
        result.reserveCapacity(object.subsets.reduce(0) { $0 + $1.addresses.count + $1.notReadyAddresses.count })
        for subset in object.subsets {
            for (addresses, ready) in [(subset.addresses, true), (subset.notReadyAddresses, false)] {
                for address in addresses {
                    let podName = address.targetRef.flatMap { $0.kind == "Pod" ? $0.name : nil }
                    result.append(
                        ClusterEndpoint(
                            addresses: [address.ip], hostname: address.hostname, isReady: ready, ports: subset.ports,
                            podName: podName))
                }
            }
        }
        return result
    }

    /// The endpoints the EndpointSlice controller would make: each selected pod that is running
    /// and has an address of the service's families; its hostname only when its subdomain names
    /// this service; each service port resolved against the pod (a named target port the pod
    /// lacks is left out for that pod).
    private static func endpoints(
        of service: ClusterService, selector: [String: String], pods: [ClusterPod]
    ) -> [ClusterEndpoint] {
        var result: [ClusterEndpoint] = []
        for pod in pods where !pod.isTerminated {
            guard selector.allSatisfy({ pod.labels[$0.key] == $0.value }) else { continue }
            let addresses = pod.ips.filter { service.ipFamilies.isEmpty || service.ipFamilies.contains($0.family) }
            guard !addresses.isEmpty else { continue }
            var ports: [EndpointPort] = []
            for port in service.ports {
                switch port.targetPort {
                case .number(let number):
                    ports.append(EndpointPort(name: port.name, port: number, protocol: port.protocol))
                case .name(let name):
                    if let match = pod.ports.first(where: { $0.name == name && $0.protocol == port.protocol }) {
                        ports.append(EndpointPort(name: port.name, port: match.containerPort, protocol: port.protocol))
                    }
                }
            }
            let hostname = pod.subdomain == service.name ? pod.hostname : nil
            result.append(
                ClusterEndpoint(
                    addresses: AddressList(addresses), hostname: hostname, isReady: pod.isReady && !pod.isTerminating,
                    isTerminating: pod.isTerminating, ports: ports, podName: pod.name))
        }
        return result
    }
}
