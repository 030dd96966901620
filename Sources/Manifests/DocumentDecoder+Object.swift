extension DocumentDecoder {
    /// Decodes and validates one object of `kind`; nil when it has errors (the API server would
    /// have refused it, so it is left out, and the diagnostics say why).
    mutating func decodeObject(
        _ kind: ObjectKind, _ document: ManifestNode, repeats: inout ManifestParser.Repeats
    ) -> ManifestObject? {
        let errorsBefore = self.errorCount
        guard let (metadata, nameNode) = self.decodeMetadata(kind, document) else { return nil }
        let spec = self.object(document["spec"], "spec")
        let body: ManifestObject.Body?
        switch kind {
        case .namespace:
            body = .namespace(metadata)
        case .service:
            if var service = self.decodeService(metadata, spec: spec, document: document) {
                service.ports = repeats.servicePorts.intern(service.ports)
                body = .service(service)
            } else {
                body = nil
            }
        case .pod:
            if var pod = self.decodePod(metadata, spec: spec, status: self.object(document["status"], "status")) {
                pod.metadata.labels = repeats.labels.intern(pod.metadata.labels)
                body = .pod(pod)
            } else {
                body = nil
            }
        case .endpoints:
            body = self.decodeEndpoints(metadata, document).map { .endpoints($0) }
        case .endpointSlice:
            if var slice = self.decodeEndpointSlice(metadata, document) {
                slice.ports = repeats.endpointPorts.intern(slice.ports)
                body = .endpointSlice(slice)
            } else {
                body = nil
            }
        case .deployment, .replicaSet, .statefulSet:
            body = self.decodeWorkload(kind, metadata, spec: spec, document: document).map { .workload($0) }
        case .ingress:
            body = self.decodeIngress(metadata, spec: spec, document: document).map { .ingress($0) }
        }
        guard let body, self.errorCount == errorsBefore else { return nil }
        return ManifestObject(body, location: self.location(document), nameLocation: self.location(nameNode))
    }

    private mutating func decodeMetadata(_ kind: ObjectKind, _ document: ManifestNode) -> (ObjectMeta, ManifestNode)? {
        self.subject = .kind(kind)
        guard let metadataNode = self.object(document["metadata"], "metadata") else {
            self.error(document, "metadata.name is required")
            return nil
        }
        guard let nameNode = metadataNode["name"], let name = self.string(nameNode, "metadata.name"), !name.isEmpty
        else {
            self.error(metadataNode, "metadata.name is required")
            return nil
        }
        var namespace = "default"
        if kind.isNamespaced, let namespaceNode = metadataNode["namespace"],
            let value = self.string(namespaceNode, "metadata.namespace"), !value.isEmpty
        {
            namespace = value
            self.subject = .object(ObjectIdentity(kind: kind, namespace: namespace, name: name))
            self.checkName(value, namespaceNode, "metadata.namespace", NameRules.dns1123LabelProblem)
        }
        self.subject = .object(ObjectIdentity(kind: kind, namespace: kind.isNamespaced ? namespace : "", name: name))
        switch kind {
        case .namespace, .service: self.checkName(name, nameNode, "metadata.name", NameRules.dns1123LabelProblem)
        default: self.checkName(name, nameNode, "metadata.name", NameRules.dns1123SubdomainProblem)
        }
        // Both maps are checked whole, then only what derivation reads is kept: every file's
        // objects stay in memory for reloads, and in a `kubectl get -o yaml` dump labels and
        // annotations can be most of an object (last-applied-configuration repeats all of it).
        let labels = ObjectMeta.labelsRead(
            by: kind, from: self.stringMap(metadataNode["labels"], "metadata.labels") ?? [:])
        let annotations = (self.stringMap(metadataNode["annotations"], "metadata.annotations") ?? [:])
            .filter { ObjectMeta.annotationsRead.contains($0.key) }
        var owners: [OwnerReference] = []
        for (index, ownerNode) in self.list(metadataNode["ownerReferences"], "metadata.ownerReferences").enumerated() {
            func path() -> String { "metadata.ownerReferences[\(index)]" }
            guard let owner = self.object(ownerNode, path()) else { continue }
            guard let ownerKind = self.string(owner["kind"], "\(path()).kind"),
                let ownerName = self.string(owner["name"], "\(path()).name")
            else {
                self.error(owner, "\(path()) needs kind and name")
                continue
            }
            let isController = self.boolean(owner["controller"], "\(path()).controller") ?? false
            owners.append(OwnerReference(kind: ownerKind, name: ownerName, isController: isController))
        }
        let deletion = self.string(metadataNode["deletionTimestamp"], "metadata.deletionTimestamp")
        let metadata = ObjectMeta(
            name: name, namespace: kind.isNamespaced ? namespace : "", labels: labels, annotations: annotations,
            ownerReferences: owners, deletionTimestamp: deletion)
        return (metadata, nameNode)
    }
}
