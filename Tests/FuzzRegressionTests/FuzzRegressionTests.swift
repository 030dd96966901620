import Foundation
import FuzzTargets
import Testing

/// Every saved fuzzing input — the seed corpus and every crash `make fuzz` ever found — runs
/// through its target in every test run, so that a fixed crash stays fixed.
@Suite("Fuzz corpus and past crashes")
struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static var inputs: [String] {
        var result: [String] = []
        for kind in ["corpus", "crashes"] {
            for target in FuzzTargets.all.keys.sorted() {
                let directory = Self.fuzzDirectory.appendingPathComponent("\(kind)/\(target)")
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
                result += names.filter { !$0.hasPrefix(".") }.sorted().map { "\(kind)/\(target)/\($0)" }
            }
        }
        return result
    }

    @Test func thereIsASeedCorpusForEveryTarget() {
        for target in FuzzTargets.all.keys {
            #expect(Self.inputs.contains { $0.hasPrefix("corpus/\(target)/") }, "no corpus for \(target)")
        }
    }

    @Test(arguments: Self.inputs)
    func inputRunsCleanly(path: String) throws {
        let target = String(path.split(separator: "/")[1])
        let run = try #require(FuzzTargets.all[target])
        let data = try Data(contentsOf: Self.fuzzDirectory.appendingPathComponent(path))
        run(Array(data))
    }
}
