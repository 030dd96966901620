extension IPAddress {
    /// What makes an address one the Kubernetes API server refuses for pods and endpoints
    /// (`ValidateNonSpecialIP`), worded to follow "is": `in the loopback range (127.0.0.0/8,
    /// ::1/128)`; nil for an address any pod or endpoint may have.
    package var specialRange: String? {
        if self.isUnspecified { return "unspecified (0.0.0.0, ::)" }
        if self.isLoopback { return "in the loopback range (127.0.0.0/8, ::1/128)" }
        if self.isLinkLocalUnicast { return "in the link-local range (169.254.0.0/16, fe80::/10)" }
        if self.isLinkLocalMulticast { return "in the link-local multicast range (224.0.0.0/24, ff02::/16)" }
        return nil
    }

    /// 0.0.0.0 or `::`.
    package var isUnspecified: Bool { self.high == 0 && self.low == 0 }

    /// 127.0.0.0/8 or `::1`.
    package var isLoopback: Bool {
        switch self.family {
        case .ipv4: return self.ipv4Value >> 24 == 127
        case .ipv6: return self.high == 0 && self.low == 1
        }
    }

    /// 169.254.0.0/16 or fe80::/10.
    package var isLinkLocalUnicast: Bool {
        switch self.family {
        case .ipv4: return self.ipv4Value >> 16 == 0xA9FE
        case .ipv6: return self.high >> 54 == 0x3FA  // fe80::/10
        }
    }

    /// 224.0.0.0/24, or an IPv6 multicast address of link-local scope (ffx2::/16, RFC 4291 §2.7).
    package var isLinkLocalMulticast: Bool {
        switch self.family {
        case .ipv4: return self.ipv4Value >> 8 == 0xE0_0000
        case .ipv6: return self.high >> 56 == 0xFF && (self.high >> 48) & 0x0F == 0x02
        }
    }
}
