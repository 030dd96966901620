import Foundation
import Testing

@Suite("clusterdns check, run as a program")
struct CheckCommandTests {
    @Test func exampleClusterIsValidAndSummarized() throws {
        let output = try CommandRunner.clusterdns(["check", "zones"])
        #expect(output.status == 0)
        #expect(output.stderr == "")
        #expect(
            output.stdout
                == "zones: addresses: services as written, missing ones allocated from 10.96.0.0/12, fd00:10:96::/112; pods as written, missing ones allocated from 10.244.0.0/16, fd00:10:244::/56; no address outside them\n"
                + "zones: 7 files: 8 objects (1 Deployment, 1 Namespace, 5 Service, 1 StatefulSet); services: 1 ClusterIP, 2 headless, 1 NodePort, 1 ExternalName; 5 pods synthesized; skipped: none; 0 errors, 0 warnings\n"
        )
        // --manifests is the same as the argument.
        #expect(try CommandRunner.clusterdns(["check", "--manifests", "zones/"]).stdout == output.stdout)
    }

    @Test func brokenTreeExitsOneWithEveryDiagnosticSorted() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seed = CommandRunner.packageRoot.appendingPathComponent(
            "Tests/ManifestsTests/Fixtures/invalid/nodeport-out-of-range.yaml")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: seed, to: directory.appendingPathComponent("sub/nodeport.yaml"))
        try "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n".write(
            to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  bad: : :\n".write(
            to: directory.appendingPathComponent("b.yml"), atomically: true, encoding: .utf8)
        try "ignored: [".write(to: directory.appendingPathComponent(".hidden.yaml"), atomically: true, encoding: .utf8)
        try "ignored: [".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try "ignored: [".write(to: directory.appendingPathComponent("a.yaml~"), atomically: true, encoding: .utf8)

        let output = try CommandRunner.clusterdns(["check", directory.path])
        #expect(output.status == 1)
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "\(directory.path)/b.yml:5:8: error: not valid YAML: mapping values are not allowed in this context",
                "\(directory.path)/sub/nodeport.yaml:14:17: error: Service dev/service-nodeport: spec.ports[0].nodePort 39998 is outside the node port range 30000-32767",
            ])
        #expect(output.stdout.contains("3 files: 2 objects"))
        #expect(output.stdout.hasSuffix("2 errors, 0 warnings\n"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try CommandRunner.clusterdns(["check", "--no-such-flag"]).status == 2)
        #expect(try CommandRunner.clusterdns(["check", "--service-cidr", "banana", "zones"]).status == 2)
        let missing = try CommandRunner.clusterdns(["check", "/nonexistent/manifests"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/manifests: no such file or directory"))
    }

    @Test func versionAndHelp() throws {
        let version = try CommandRunner.clusterdns(["--version"])
        #expect(version.status == 0)
        #expect(!version.stdout.isEmpty)
        let help = try CommandRunner.clusterdns(["check", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--manifests"))
    }
}
