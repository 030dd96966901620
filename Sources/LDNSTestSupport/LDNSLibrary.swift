import CLDNS

/// Facts about the linked libldns, the DNS library that checks our wire and text forms.
package enum LDNSLibrary {
    /// The version string libldns reports, e.g. `1.8.3`.
    package static var version: String { String(cString: ldns_version()) }
}
