import DNSWire
import Forwarder
import Testing

@Suite("0x20: random letter case out, exact echo in, our case out of the answer")
struct QueryCaseTests {
    @Test func theCaseIsRandomAndTheNameTheSame() {
        let name = DomainName("www.example-domain.test.")!
        var spellings = Set<[UInt8]>()
        for _ in 0..<20 {
            let randomized = QueryCase.randomized(name)
            #expect(randomized == name, "equal without case")
            #expect(randomized.wire.count == name.wire.count)
            spellings.insert(randomized.wire)
        }
        // 20 letters: two equal draws in 20 tries would be a one-in-50,000 event.
        #expect(spellings.count >= 19)
        let digits = DomainName("1.2.3.4.in-addr.arpa.")!
        let randomized = QueryCase.randomized(digits)
        #expect(randomized.labelBytes[0...3].map(Array.init) == digits.labelBytes[0...3].map(Array.init), "digits stay")
    }

    @Test func onlyAnExactEchoCounts() {
        let sent = DomainName("wWw.ExAmple.TEST.")!
        #expect(QueryCase.isExactEcho(DomainName("wWw.ExAmple.TEST.")!, of: sent))
        #expect(!QueryCase.isExactEcho(DomainName("www.example.test.")!, of: sent))
    }

    /// name in the reply → name served, for a question sent as `wWw.ExAmple.TEST.` and asked as
    /// `www.example.test.`.
    @Test(arguments: [
        ("wWw.ExAmple.TEST.", "www.example.test."), ("mail.ExAmple.TEST.", "mail.example.test."),
        ("Mail.Example.Test.", "Mail.Example.Test."), ("TEST.", "test."), ("other.net.", "other.net."),
        ("x.ExAmple.test.", "x.ExAmple.test."),
    ])
    func ourCaseIsTakenOutOfTheAnswer(received: String, served: String) {
        let restore = QueryCase.restorer(sent: DomainName("wWw.ExAmple.TEST.")!, original: DomainName("www.example.test.")!)
        #expect(restore(DomainName(received)!).wire == DomainName(served)!.wire)
    }
}
