import CLDNS
import Testing

@testable import DNSWire
import LDNSTestSupport

@Suite("libldns is linked and usable")
struct LDNSLibraryTests {
    @Test func versionIsReported() {
        #expect(LDNSLibrary.version.split(separator: ".").count >= 2)
    }

    @Test func parsesARecordFromText() throws {
        var rr: UnsafeMutablePointer<ldns_rr>?
        let status = ldns_rr_new_frm_str(&rr, "web.dev.svc.cluster.local. 5 IN A 10.96.0.1", 0, nil, nil)
        #expect(status == LDNS_STATUS_OK)
        let record = try #require(rr)
        defer { ldns_rr_free(record) }
        #expect(ldns_rr_get_type(record) == LDNS_RR_TYPE_A)
    }
}
