import IPAddressing

/// Reads the fields of one document into typed values, collecting a diagnostic for every field of
/// the wrong type or out of range. Messages name the object and the field path:
/// `Service dev/web: spec.ports[0].port must be an integer, got string "80"`.
struct DocumentDecoder {
    let file: String
    /// What messages name: nothing yet, the kind, then the object once its metadata is read.
    /// Spelled (`Service dev/web`) only when a diagnostic is made: every object of every file
    /// passes through here, and spelling it each time took three strings per object.
    enum Subject {
        case none
        case kind(ObjectKind)
        case object(ObjectIdentity)
    }

    var subject: Subject = .none
    private(set) var diagnostics: [ManifestDiagnostic] = []
    private(set) var errorCount = 0

    init(file: String) {
        self.file = file
    }

    /// The message's prefix naming the subject, if any.
    private var subjectPrefix: String {
        switch self.subject {
        case .none: return ""
        case .kind(let kind): return "\(kind.rawValue): "
        case .object(let identity): return "\(identity): "
        }
    }

    func location(_ node: ManifestNode) -> SourceLocation {
        SourceLocation(file: self.file, line: node.line, column: node.column)
    }

    mutating func error(_ node: ManifestNode, _ message: String) {
        self.errorCount += 1
        self.diagnostics.append(.error(at: self.location(node), self.subjectPrefix + message))
    }

    mutating func warning(_ node: ManifestNode, _ message: String) {
        self.diagnostics.append(.warning(at: self.location(node), self.subjectPrefix + message))
    }

    /// A string field; nil when absent or null.
    mutating func string(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> String? {
        guard let node, !node.isNull else { return nil }
        if let scalar = node.scalar, case .string(let text) = scalar.value { return text }
        self.error(node, "\(path()) must be a string, got \(node.typeDescription)")
        return nil
    }

    /// An integer field; nil when absent or null.
    mutating func integer(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> Int? {
        guard let node, !node.isNull else { return nil }
        if let scalar = node.scalar {
            switch scalar.value {
            case .integer(let value): return value
            case .float(let value) where value.rounded() == value && abs(value) < 1e15: return Int(value)
            default: break
            }
        }
        self.error(node, "\(path()) must be an integer, got \(node.typeDescription)")
        return nil
    }

    /// A boolean field; nil when absent or null.
    mutating func boolean(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> Bool? {
        guard let node, !node.isNull else { return nil }
        if let scalar = node.scalar, case .boolean(let value) = scalar.value { return value }
        self.error(node, "\(path()) must be a boolean, got \(node.typeDescription)")
        return nil
    }

    /// An object field; nil when absent or null.
    mutating func object(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> ManifestNode? {
        guard let node, !node.isNull else { return nil }
        if node.isMapping { return node }
        self.error(node, "\(path()) must be an object, got \(node.typeDescription)")
        return nil
    }

    /// A list field; empty when absent or null.
    mutating func list(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> [ManifestNode] {
        guard let node, !node.isNull else { return [] }
        if let items = node.sequence { return items }
        self.error(node, "\(path()) must be a list, got \(node.typeDescription)")
        return []
    }

    /// A map of strings (labels, annotations, selectors); nil when absent or null.
    mutating func stringMap(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> [String: String]? {
        guard let node = self.object(node, path()), let pairs = node.pairs else { return nil }
        var result: [String: String] = [:]
        result.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let key = pair.key.scalar?.text else {
                self.error(pair.key, "\(path()) keys must be strings, got \(pair.key.typeDescription)")
                continue
            }
            if let value = self.string(pair.value, "\(path()).\(key)") { result[key] = value }
        }
        return result
    }

    /// An int-or-string field (`targetPort`).
    mutating func intOrString(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> TargetPort? {
        guard let node, !node.isNull else { return nil }
        if let scalar = node.scalar {
            switch scalar.value {
            case .integer(let value): return .number(value)
            case .string(let text): return .name(text)
            default: break
            }
        }
        self.error(node, "\(path()) must be an integer or a string, got \(node.typeDescription)")
        return nil
    }

    /// A port number 1-65535, required or not.
    mutating func portNumber(_ parent: ManifestNode, _ key: String, _ path: @autoclosure () -> String, required: Bool) -> Int? {
        guard let node = parent[key], !node.isNull else {
            if required { self.error(parent, "\(path()).\(key) is required") }
            return nil
        }
        guard let value = self.integer(node, "\(path()).\(key)") else { return nil }
        guard (1...65535).contains(value) else {
            self.error(node, "\(path()).\(key) must be 1-65535, got \(value)")
            return nil
        }
        return value
    }

    /// `protocol`, TCP by default.
    mutating func portProtocol(_ parent: ManifestNode, _ path: @autoclosure () -> String) -> PortProtocol {
        guard let node = parent["protocol"], let text = self.string(node, "\(path()).protocol") else { return .tcp }
        guard let value = PortProtocol(rawValue: text) else {
            self.error(node, "\(path()).protocol must be TCP, UDP or SCTP, got \"\(text)\"")
            return .tcp
        }
        return value
    }

    /// An IP address string.
    mutating func ipAddress(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> IPAddress? {
        guard let node, let text = self.string(node, path()) else { return nil }
        guard let address = IPAddress(text) else {
            self.error(node, "\(path()) must be an IP address, got \"\(text)\"")
            return nil
        }
        return address
    }

    /// A pod's or an endpoint's address: an IP address outside the special ranges the API server
    /// refuses there (unspecified, loopback, link-local, link-local multicast).
    mutating func podAddress(_ node: ManifestNode?, _ path: @autoclosure () -> String) -> IPAddress? {
        guard let node, let address = self.ipAddress(node, path()) else { return nil }
        if let range = address.specialRange {
            self.error(node, "\(path()) \(address) is \(range), which no pod or endpoint may have")
            return nil
        }
        return address
    }

    /// A name checked by one of `NameRules`; the problem becomes an error on `node`.
    mutating func checkName(_ name: String, _ node: ManifestNode, _ path: @autoclosure () -> String, _ rule: (String) -> String?) {
        if let problem = rule(name) { self.error(node, "\(path()) \"\(name)\" is not valid: \(problem)") }
    }
}
