import IPAddressing
import Testing

/// The dashed form names endpoints without a hostname and pod records (`10-244-1-5`): it must be
/// the address's text with every `.` and `:` made `-`, whatever the digits.
@Suite("Dashed addresses: the text with dots and colons as dashes")
struct DashedAddressTests {
    @Test(arguments: [
        ("10.244.1.5", "10-244-1-5"), ("0.0.0.0", "0-0-0-0"), ("255.255.255.255", "255-255-255-255"),
        ("1.20.100.9", "1-20-100-9"), ("192.168.0.10", "192-168-0-10"), ("fd00:10::5", "fd00-10--5"),
        ("::1", "--1"), ("2001:db8:1:2:3:4:5:6", "2001-db8-1-2-3-4-5-6"), ("::ffff:10.0.0.1", "--ffff-a00-1"),
    ])
    func dashed(_ text: String, _ expected: String) throws {
        #expect(try #require(IPAddress(text)).dashed == expected)
    }

    /// Every octet value in every position, against the definition.
    @Test func everyOctetInEveryPosition() throws {
        for position in 0..<4 {
            for value in 0...255 {
                var octets = [7, 70, 170, 0]
                octets[position] = value
                let address = try #require(IPAddress(octets.map(String.init).joined(separator: ".")))
                #expect(address.dashed == octets.map(String.init).joined(separator: "-"))
            }
        }
    }
}
