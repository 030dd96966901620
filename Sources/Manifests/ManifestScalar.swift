/// A scalar as the parser saw it: its text, whether it was quoted, and an explicit tag if any.
/// Its typed value follows YAML 1.1 resolution, as the Kubernetes YAML decoder does, so that
/// `port: "80"` is a string and `enabled: yes` is a boolean, exactly as `kubectl apply` sees them.
package struct ManifestScalar: Sendable {
    /// Whether the scalar was written plain (its type is inferred) or quoted/block (always a string).
    package enum Style: Sendable {
        case plain
        case quoted
    }

    package var text: String
    package var style: Style
    package var tag: String?

    package init(_ text: String, style: Style, tag: String? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }

    /// The typed value of the scalar.
    package var value: ScalarValue {
        if let tag = self.tag {
            switch tag {
            case "tag:yaml.org,2002:str", "!!str", "!": return .string(self.text)
            case "tag:yaml.org,2002:int", "!!int":
                return Self.resolveInteger(self.text).map { .integer($0) } ?? .string(self.text)
            case "tag:yaml.org,2002:bool", "!!bool":
                return Self.resolveBoolean(self.text).map { .boolean($0) } ?? .string(self.text)
            case "tag:yaml.org,2002:null", "!!null": return .null
            default: break
            }
        }
        guard self.style == .plain else { return .string(self.text) }
        return Self.resolvePlain(self.text)
    }

    /// YAML 1.1 implicit typing of a plain scalar (the rules of go-yaml v2, which sigs.k8s.io/yaml uses).
    static func resolvePlain(_ text: String) -> ScalarValue {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            if text == "~" || text == "null" || text == "Null" || text == "NULL" { return .null }
        default: break
        }
        if let boolean = resolveBoolean(text) { return .boolean(boolean) }
        let isNumeric =
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
        guard isNumeric else { return .string(text) }
        if let integer = resolveInteger(text) { return .integer(integer) }
        if let float = resolveFloat(text) { return .float(float) }
        return .string(text)
    }

    static func resolveBoolean(_ text: String) -> Bool? {
        // Most scalars are names and numbers: reject them without comparing against every spelling.
        let utf8 = text.utf8
        guard utf8.count <= 5, let first = utf8.first else { return nil }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
            UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            break
        default: return nil
        }
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// Decimal, `0x` hexadecimal, `0o`/leading-zero octal and `0b` binary, with optional sign and `_`.
    static func resolveInteger(_ text: String) -> Int? {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { return nil }
        var radix = 10
        if bytes.count > 2, bytes.first == UInt8(ascii: "0") {
            let marker = bytes[bytes.index(after: bytes.startIndex)]
            switch marker {
            case UInt8(ascii: "x"): radix = 16; bytes = bytes.dropFirst(2)
            case UInt8(ascii: "o"): radix = 8; bytes = bytes.dropFirst(2)
            case UInt8(ascii: "b"): radix = 2; bytes = bytes.dropFirst(2)
            default: radix = 8; bytes = bytes.dropFirst(1)
            }
        } else if bytes.count == 2, bytes.first == UInt8(ascii: "0") {
            radix = 8
            bytes = bytes.dropFirst(1)
        }
        var value = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: "_") { continue }
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            guard digit < radix else { return nil }
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: radix)
            let (added, overflow2) = multiplied.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = added
            digits += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }

    static func resolveFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // A float needs a digit, and only digits, one '.', an exponent and signs.
        var sawDigit = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"),
                UInt8(ascii: "_"):
                continue
            default: return nil
            }
        }
        guard sawDigit else { return nil }
        return Double(String(text.filter { $0 != "_" }))
    }
}
