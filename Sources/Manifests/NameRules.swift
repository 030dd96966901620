/// The name formats the Kubernetes API server enforces (k8s.io/apimachinery validation), each
/// returning nil when the name is valid, or the API server's explanation when it is not.
package enum NameRules {
    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }

    /// RFC 1123 label: at most 63 of `[a-z0-9-]`, starting and ending alphanumeric (a leading
    /// digit is fine). Namespaces, Service names (the API server's RelaxedServiceNameValidation),
    /// port names, pod hostnames and subdomains use it.
    package static func dns1123LabelProblem(_ name: String) -> String? {
        // Read in place: every object's name is checked, and a copy of the bytes was most of it.
        let bytes = name.utf8
        guard let first = bytes.first, let last = bytes.last else { return "must not be empty" }
        if bytes.count > 63 { return "must be no more than 63 characters" }
        let valid =
            isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
            && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        if !valid {
            return
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// RFC 1123 subdomain, as the API server's `IsDNS1123Subdomain` checks it: at most 253
    /// characters of `[a-z0-9-.]`, each dot-separated part non-empty and starting and ending
    /// alphanumeric. The parts have no length limit of their own (a Pod may be named with 70
    /// characters). Most object names (Pods, Deployments, EndpointSlices...) use it.
    package static func dns1123SubdomainProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.utf8.count > 253 { return "must be no more than 253 characters" }
        // One pass over the bytes, each part's first and last byte checked where a dot meets them.
        var previous = UInt8(ascii: ".")
        var valid = true
        for byte in name.utf8 {
            if byte == UInt8(ascii: ".") || previous == UInt8(ascii: ".") {
                // A part ends alphanumeric (and is not empty) before a dot; one starts alphanumeric after it.
                valid = byte == UInt8(ascii: ".") ? isLowerAlphanumeric(previous) : isLowerAlphanumeric(byte)
            } else {
                valid = isLowerAlphanumeric(byte) || byte == UInt8(ascii: "-")
            }
            if !valid { break }
            previous = byte
        }
        if !valid || !isLowerAlphanumeric(previous) {
            return
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// A pod name made a host name, as the kubelet makes it: cut to 63 characters, then without
    /// the trailing '-' and '.' the cut left (`truncatePodHostnameIfNeeded`).
    package static func hostname(fromPodName name: String) -> String {
        guard name.utf8.count > 63 else { return name }
        var cut = Array(name.utf8.prefix(63))
        while let last = cut.last, last == UInt8(ascii: "-") || last == UInt8(ascii: ".") { cut.removeLast() }
        return String(decoding: cut, as: UTF8.self)
    }

    /// IANA service name (RFC 6335 §5.1), what a named `targetPort` or container port must be:
    /// 1-15 of `[a-z0-9-]`, at least one letter, no leading, trailing or double hyphen.
    package static func ianaServiceNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "must not be empty" }
        if bytes.count > 15 { return "must be no more than 15 characters" }
        if !bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }) {
            return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        }
        if !bytes.contains(where: isLetter) { return "must contain at least one letter (a-z)" }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
            return "must not begin or end with a hyphen"
        }
        if name.contains("--") { return "must not contain consecutive hyphens" }
        return nil
    }

    /// A domain name for `spec.externalName`: an RFC 1123 subdomain, a trailing dot allowed.
    package static func externalNameProblem(_ name: String) -> String? {
        var trimmed = name
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        if trimmed.isEmpty { return "must not be empty" }
        return dns1123SubdomainProblem(trimmed)
    }

    /// A label key or value check, lenient: keys may have a DNS-subdomain prefix and a `/`.
    package static func labelValueProblem(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        if bytes.isEmpty { return nil }
        if bytes.count > 63 { return "must be no more than 63 characters" }
        func isAlnum(_ byte: UInt8) -> Bool {
            isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        let valid =
            isAlnum(bytes[0]) && isAlnum(bytes[bytes.count - 1])
            && bytes.allSatisfy {
                isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            }
        if !valid {
            return
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        }
        return nil
    }
}
