import KubernetesAPI
import Manifests
import Testing

/// The real payloads the API server sends (Tests/FakeAPIServer/samples: list pages and watch
/// streams captured from kubeadm, GKE, kind, TKE and k3s clusters), decoded as the store keeps them.
@Suite("API payloads")
struct APIPayloadDecoderTests {
    static let samples: String = {
        // #filePath is <root>/Tests/KubernetesAPITests/<this file>.
        let parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        return parts.dropLast(2).joined(separator: "/") + "/FakeAPIServer/samples/"
    }()

    static func sample(_ name: String) throws -> [UInt8] {
        try LocalFile.read(Self.samples + name, limit: 1 << 22)
    }

    static func lines(_ name: String) throws -> [[UInt8]] {
        try Self.sample(name).split(separator: UInt8(ascii: "\n")).map(Array.init)
    }

    @Test func aServiceListPageFromKubeadm() throws {
        let page = try APIPayloadDecoder(.services).page(Self.sample("01-servicelist-kube-dns.json"))
        #expect(page.objects.map(\.path) == ["kubernetes/kube-system/services"])
        #expect(page.objects.map(\.name) == ["kube-dns"])
        #expect(page.objects[0].decoded.diagnostics.isEmpty)
        guard case .service(let service) = page.objects[0].decoded.objects.first?.body else {
            Issue.record("not a service")
            return
        }
        #expect(service.clusterIPs == ["10.96.0.10"])
        #expect(service.ports.map { $0.name } == ["dns", "dns-tcp", "metrics"])
        #expect(page.continueToken == nil || page.continueToken == "")
    }

    @Test func headlessAndLoadBalancerServicesFromGKEWithJSONInAnAnnotation() throws {
        let page = try APIPayloadDecoder(.services).page(Self.sample("02-servicelist-with-headless.json"))
        #expect(page.objects.map(\.name) == ["hello", "l5d", "world", "world-v2"])
        #expect(page.objects.allSatisfy { $0.decoded.diagnostics.isEmpty && $0.decoded.objects.count == 1 })
    }

    @Test func endpointSlicesFromKindIgnoringFieldsTheModelDoesNotRead() throws {
        let page = try APIPayloadDecoder(.endpointSlices).page(Self.sample("04-endpointslicelist-kind.json"))
        #expect(page.objects.map(\.path) == ["kubernetes/default/endpointslices", "kubernetes/kube-system/endpointslices"])
        guard case .endpointSlice(let slice) = page.objects[1].decoded.objects.first?.body else {
            Issue.record("not a slice")
            return
        }
        #expect(slice.endpoints.first?.targetRef?.name == "coredns-66bff467f8-z8czk")
    }

    @Test func aWatchStreamOfServices() throws {
        let decoder = APIPayloadDecoder(.services)
        let events = try Self.lines("03-watch-services-stream.jsonl").map { try decoder.event($0) }
        let summary = events.map { event -> String in
            switch event {
            case .upsert(let placed, let version): return "upsert \(placed.path)/\(placed.name) \(version ?? "-")"
            case .delete(let path, let name, let version): return "delete \(path)/\(name) \(version ?? "-")"
            default: return "\(event)"
            }
        }
        #expect(
            summary == [
                "upsert kubernetes/pythonsky/services/l5d 11624505", "upsert kubernetes/pythonsky/services/foo 11624506",
                "upsert kubernetes/pythonsky/services/l5d 11624507", "upsert kubernetes/pythonsky/services/l5d 11624508",
                "delete kubernetes/pythonsky/services/l5d 11624509",
            ])
    }

    @Test func aModernSliceAndServiceAdded() throws {
        let lines = try Self.lines("05-watch-endpointslice-and-service-added.jsonl")
        guard case .upsert(let slice, _) = try APIPayloadDecoder(.endpointSlices).event(lines[0]),
            case .upsert(let service, _) = try APIPayloadDecoder(.services).event(lines[1])
        else {
            Issue.record("not two upserts")
            return
        }
        #expect(slice.decoded.diagnostics.isEmpty && slice.decoded.objects.count == 1)
        #expect(service.decoded.diagnostics.isEmpty && service.decoded.objects.count == 1)
    }

    @Test func bookmarksAndTheInBand410() throws {
        let bookmarks = try Self.lines("09-watch-bookmarks.jsonl")
        #expect(try APIPayloadDecoder(.pods).event(bookmarks[0]) == .bookmark(resourceVersion: "12746"))
        #expect(try APIPayloadDecoder(.endpointSlices).event(bookmarks[1]) == .bookmark(resourceVersion: "5493506153"))
        for line in try Self.lines("06-watch-error-410-in-band.jsonl") {
            guard case .gone(let message) = try APIPayloadDecoder(.pods).event(line) else {
                Issue.record("not gone")
                continue
            }
            #expect(message.hasPrefix("too old resource version"))
        }
        #expect(
            try APIPayloadDecoder(.pods).event(Array(#"{"type":"ERROR","object":{"kind":"Status","code":500,"message":"boom"}}"#.utf8))
                == .failure(code: 500, message: "boom"))
    }

    @Test(arguments: [
        #"{"type":"ADDED"}"#, "not json", #"{"type":"SOMETHING","object":{}}"#, "",
    ])
    func brokenEventsAreErrors(line: String) {
        #expect(throws: APIError.self) { try APIPayloadDecoder(.services).event(Array(line.utf8)) }
    }

    @Test func anObjectTheAPIWouldRejectKeepsItsDiagnostic() throws {
        let line = #"{"type":"ADDED","object":{"kind":"Service","apiVersion":"v1","metadata":{"name":"Bad_Name","namespace":"dev","resourceVersion":"7"},"spec":{"ports":[{"port":80}]}}}"#
        guard case .upsert(let placed, let version) = try APIPayloadDecoder(.services).event(Array(line.utf8)) else {
            Issue.record("not an upsert")
            return
        }
        #expect(version == "7")
        #expect(placed.decoded.objects.isEmpty)
        #expect(placed.decoded.diagnostics.first?.isError == true)
    }

    @Test func statusBodiesGiveTheirMessage() throws {
        #expect(APIError.statusMessage(try Self.sample("10-status-401-unauthorized.json")) == "Unauthorized")
        #expect(
            APIError.statusMessage(try Self.sample("07-status-410-expired-list.json"))
                == "The resourceVersion for the provided list is too old.")
    }
}

extension APIPayloadDecoderTests {
    /// The same object in a list page (at some offset) and in a watch event decodes equal: a
    /// relist or a status-only MODIFIED changes nothing.
    @Test func anObjectDecodesTheSameWhereverItComesFrom() throws {
        let object = #"{"metadata":{"name":"web","namespace":"dev","resourceVersion":"5"},"spec":{"clusterIP":"10.96.0.9","ports":[{"port":80}]}}"#
        let other = #"{"metadata":{"name":"aaa","namespace":"dev"},"spec":{"clusterIP":"10.96.0.8","ports":[{"port":80}]}}"#
        let page = #"{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[\#(other),\#(object)]}"#
        let listed = try APIPayloadDecoder(.services).page(Array(page.utf8)).objects[1]
        let status = object.replacingFirst(#""resourceVersion":"5"}"#, with: #""resourceVersion":"6"},"status":{"loadBalancer":{}}"#)
        guard case .upsert(let watched, _) = try APIPayloadDecoder(.services).event(
            Array(#"{"type":"MODIFIED","object":{"kind":"Service","apiVersion":"v1",\#(status.dropFirst())}"#.utf8))
        else {
            Issue.record("not an upsert")
            return
        }
        #expect(listed == watched)
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        let characters = Array(self)
        let pattern = Array(target)
        guard pattern.count <= characters.count else { return self }
        for start in 0...(characters.count - pattern.count) where Array(characters[start..<(start + pattern.count)]) == pattern {
            return String(characters[..<start]) + replacement + String(characters[(start + pattern.count)...])
        }
        return self
    }
}
