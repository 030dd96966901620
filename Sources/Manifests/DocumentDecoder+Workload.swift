extension DocumentDecoder {
    /// A Deployment, ReplicaSet or StatefulSet: replicas, selector, template, serviceName.
    mutating func decodeWorkload(
        _ kind: ObjectKind, _ metadata: ObjectMeta, spec: ManifestNode?, document: ManifestNode
    ) -> Workload? {
        guard let spec else {
            self.error(document, "spec is required")
            return nil
        }
        var replicas = 1
        var replicasLocation: SourceLocation?
        if let node = spec["replicas"], let value = self.integer(node, "spec.replicas") {
            // An int32 in the API (apps/v1 DeploymentSpec, StatefulSetSpec, ReplicaSetSpec).
            if value < 0 || value > Int(Int32.max) {
                self.error(node, "spec.replicas must be 0 to 2147483647 (an int32), got \(value)")
            } else {
                replicas = value
                replicasLocation = self.location(node)
            }
        }
        guard let selectorNode = self.object(spec["selector"], "spec.selector") else {
            self.error(spec, "spec.selector is required")
            return nil
        }
        let selector = self.decodeLabelSelector(selectorNode, path: "spec.selector")
        if selector.isEmpty {
            self.error(selectorNode, "spec.selector must not be empty")
        }
        var template = PodTemplate()
        if let templateNode = self.object(spec["template"], "spec.template") {
            if let templateMetadata = self.object(templateNode["metadata"], "spec.template.metadata") {
                template.labels = self.stringMap(templateMetadata["labels"], "spec.template.metadata.labels") ?? [:]
            }
            if let podSpec = self.object(templateNode["spec"], "spec.template.spec") {
                let decoded = self.decodePodSpec(podSpec, path: "spec.template.spec")
                template.hostname = decoded.hostname
                template.subdomain = decoded.subdomain
                template.ports = decoded.ports
            }
            if !selector.isEmpty, !selector.matches(template.labels) {
                let labelsNode = templateNode["metadata"]?["labels"] ?? templateNode
                self.error(
                    labelsNode,
                    "spec.template.metadata.labels do not match spec.selector (\(Self.describe(selector)))")
            }
        } else {
            self.error(spec, "spec.template is required")
        }
        var serviceName: String?
        if kind == .statefulSet, let node = spec["serviceName"], let name = self.string(node, "spec.serviceName"),
            !name.isEmpty
        {
            self.checkName(name, node, "spec.serviceName", NameRules.dns1123LabelProblem)
            serviceName = name
        }
        var workload = Workload(
            kind: kind, metadata: metadata, replicas: replicas, selector: selector, template: template,
            serviceName: serviceName)
        workload.replicasLocation = replicasLocation ?? self.location(spec)
        return workload
    }

    /// `matchLabels` and `matchExpressions`.
    mutating func decodeLabelSelector(_ node: ManifestNode, path: @autoclosure () -> String) -> LabelSelector {
        var selector = LabelSelector()
        selector.matchLabels = self.stringMap(node["matchLabels"], "\(path()).matchLabels") ?? [:]
        for (index, item) in self.list(node["matchExpressions"], "\(path()).matchExpressions").enumerated() {
            func itemPath() -> String { "\(path()).matchExpressions[\(index)]" }
            guard let expression = self.object(item, itemPath()) else { continue }
            guard let key = self.string(expression["key"], "\(itemPath()).key"),
                let operatorText = self.string(expression["operator"], "\(itemPath()).operator")
            else {
                self.error(expression, "\(itemPath()) needs key and operator")
                continue
            }
            guard let op = LabelSelector.Requirement.Operator(rawValue: operatorText) else {
                self.error(
                    expression["operator"] ?? expression,
                    "\(itemPath()).operator must be In, NotIn, Exists or DoesNotExist, got \"\(operatorText)\"")
                continue
            }
            var values: [String] = []
            for (valueIndex, valueNode) in self.list(expression["values"], "\(itemPath()).values").enumerated() {
                if let value = self.string(valueNode, "\(itemPath()).values[\(valueIndex)]") { values.append(value) }
            }
            selector.matchExpressions.append(LabelSelector.Requirement(key: key, operator: op, values: values))
        }
        return selector
    }

    private static func describe(_ selector: LabelSelector) -> String {
        var parts = selector.matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        parts += selector.matchExpressions.map { "\($0.key) \($0.operator.rawValue) (\($0.values.joined(separator: ",")))" }
        return parts.joined(separator: ",")
    }
}
