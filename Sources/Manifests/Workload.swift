/// An apps/v1 Deployment, ReplicaSet or StatefulSet: a source of pods when the manifests hold none.
package struct Workload: Sendable, Hashable {
    package var kind: ObjectKind
    package var metadata: ObjectMeta
    package var replicas: Int
    /// Where `spec.replicas` is written (or `spec`, when it is not), for the synthesis cap.
    package var replicasLocation: SourceLocation?
    package var selector: LabelSelector
    package var template: PodTemplate
    /// StatefulSet `spec.serviceName`: the subdomain of its pods.
    package var serviceName: String?

    package init(
        kind: ObjectKind, metadata: ObjectMeta, replicas: Int = 1, selector: LabelSelector,
        template: PodTemplate, serviceName: String? = nil
    ) {
        self.kind = kind
        self.metadata = metadata
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.serviceName = serviceName
    }
}
