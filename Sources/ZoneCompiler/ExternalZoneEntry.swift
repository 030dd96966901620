import DNSWire
import IPAddressing

/// What one name of an external zone answers, as one namespace's objects give it: addresses,
/// or names its load balancer is reached by (a CNAME when no address is known).
package struct ExternalZoneEntry: Sendable, Hashable {
    package var owner: DomainName
    package var addresses: [IPAddress]
    package var hostnames: [String]

    package init(owner: DomainName, addresses: [IPAddress], hostnames: [String]) {
        self.owner = owner
        self.addresses = addresses
        self.hostnames = hostnames
    }
}
