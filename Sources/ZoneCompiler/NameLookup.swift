import DNSWire

/// What a name is, seen from outside the unit being compiled (for CNAME chains that cross units).
package enum NameLookup: Sendable {
    /// The name exists with these RRsets (possibly none: an empty non-terminal).
    case exists([(type: RRType, records: [ResourceRecord])])
    /// The name is in our zone at this index, and does not exist.
    case missing(zone: Int)
    /// The name is outside our zones.
    case outside
}
