import IPAddressing
import Testing

/// The model's address lists keep their first address inline: every way of making and changing
/// one must read back exactly as the array of the same addresses would.
@Suite("Address lists: the array's behaviour, the first address inline")
struct AddressListTests {
    static let lists: [[String]] = [[], ["10.96.0.1"], ["10.96.0.1", "fd00:10:96::1"], ["10.0.0.1", "10.0.0.2", "10.0.0.3"]]

    @Test(arguments: Self.lists)
    func readsBackAsTheArray(_ texts: [String]) throws {
        let addresses = try texts.map { try #require(IPAddress($0)) }
        let list = AddressList(addresses)
        #expect(Array(list) == addresses)
        #expect(list.count == addresses.count)
        #expect(list.isEmpty == addresses.isEmpty)
        #expect(list.first == addresses.first)
        #expect(list == AddressList(addresses.map { $0 }), "equal lists")
        #expect(list.hashValue == AddressList(addresses).hashValue)
        var appended = AddressList()
        for address in addresses { appended.append(address) }
        #expect(appended == list, "appending one by one makes the same list")
    }

    @Test func changesInPlaceAsAnArrayDoes() throws {
        let a = try #require(IPAddress("10.0.0.1")), b = try #require(IPAddress("10.0.0.2"))
        let c = try #require(IPAddress("fd00::3"))
        var list: AddressList = [a, b]
        var array = [a, b]
        list[0] = c
        array[0] = c
        #expect(Array(list) == array)
        list.removeFirst()
        array.removeFirst()
        #expect(Array(list) == array)
        list.insert(a, at: 0)
        array.insert(a, at: 0)
        #expect(Array(list) == array)
        list.removeAll()
        #expect(list.isEmpty && list == [])
        #expect(list != [a], "an empty list differs from a list of one")
    }
}
