/// The `nameserver` lines of a resolv.conf(5): the default upstreams.
package enum ResolvConf {
    /// The nameserver addresses of `text`, in order (an IPv6 zone suffix such as `%eth0` dropped).
    package static func nameservers(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { return nil }
            let address = fields[1].split(separator: "%").first.map(String.init) ?? String(fields[1])
            return address
        }
    }
}
