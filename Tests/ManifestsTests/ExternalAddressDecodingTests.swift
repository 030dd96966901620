import Testing

@testable import Manifests

/// What the external zones read: Services' load balancer status and external IPs, and Ingress
/// rule hosts with their load balancer status, validated as the API server does.
@Suite("Manifest decoding: load balancer status, external IPs, Ingress hosts")
struct ExternalAddressDecodingTests {
    @Test func loadBalancerStatusExternalIPsAndIngressHostsAreRead() {
        let file = ManifestParser.parse(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: prod}
            spec:
              type: LoadBalancer
              ports: [{port: 80}]
              externalIPs: [198.51.100.7]
            status:
              loadBalancer:
                ingress: [{ip: 203.0.113.10}, {hostname: lb.example.net}, {ip: "2001:db8::10"}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: shop, namespace: prod}
            spec:
              rules:
              - host: shop.example.org
              - host: "*.apps.example.org"
              - http: {paths: []}
              - host: shop.example.org
            status:
              loadBalancer: {ingress: [{ip: 203.0.113.20}]}
            """, path: "x.yaml")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        guard file.objects.count == 2, case .service(let service) = file.objects[0].body,
            case .ingress(let ingress) = file.objects[1].body
        else {
            Issue.record("\(file.objects)")
            return
        }
        #expect(service.externalIPs == ["198.51.100.7"])
        #expect(
            service.loadBalancer == [
                LoadBalancerIngress(ip: "203.0.113.10"), LoadBalancerIngress(hostname: "lb.example.net"),
                LoadBalancerIngress(ip: "2001:db8::10"),
            ])
        #expect(ingress.hosts == ["shop.example.org", "*.apps.example.org"])
        #expect(ingress.loadBalancer == [LoadBalancerIngress(ip: "203.0.113.20")])
    }

    @Test(
        arguments: [
            ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}], externalIPs: [not-an-ip]}\n", 4,
             "spec.externalIPs[0] must be an IP address"),
            ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules: [{host: 10.0.0.1}]\n", 5,
             "must be a DNS name, not an IP address"),
            ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules: [{host: Bad_Host}]\n", 5,
             "is not a valid DNS name"),
            ("apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: i}\n", 1,
             "use networking.k8s.io/v1"),
        ])
    func invalidAddressesAndHostsAreErrorsWithTheirLine(text: String, line: Int, message: String) {
        let file = ManifestParser.parse(text, path: "x.yaml")
        #expect(file.objects.isEmpty)
        #expect(file.diagnostics.count == 1)
        #expect(file.diagnostics.first?.location.line == line, "\(file.diagnostics)")
        #expect(file.diagnostics.first?.message.contains(message) == true, "\(file.diagnostics)")
    }
}
