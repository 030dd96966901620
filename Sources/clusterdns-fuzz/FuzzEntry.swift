import FuzzTargets

#if canImport(Glibc)
import Glibc
#endif

#if FUZZING
/// libFuzzer's entry point (built with `-sanitize=fuzzer -DFUZZING` by `make fuzz`); the target
/// is chosen by `CLUSTERDNS_FUZZ_TARGET`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntry(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    Replay.target(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main`: here it hands over to libFuzzer.
@_cdecl("clusterdns_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzEntry(data, size) }
}
#endif

/// Without libFuzzer: `clusterdns-fuzz TARGET FILE...` runs the target over saved inputs.
enum Replay {
    static let chosen: @Sendable ([UInt8]) -> Void = {
        let name = getenv("CLUSTERDNS_FUZZ_TARGET").map { String(cString: $0) } ?? "query"
        return FuzzTargets.all[name] ?? FuzzTargets.query
    }()

    static func target(_ bytes: [UInt8]) { Self.chosen(bytes) }
}

#if !FUZZING
@main
enum ReplayMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTargets.all[name] else {
            print("usage: clusterdns-fuzz \(FuzzTargets.all.keys.sorted().joined(separator: "|")) FILE...")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let file = fopen(path, "rb") else { continue }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = fread(&buffer, 1, buffer.count, file)
                if count == 0 { break }
                bytes += buffer[0..<count]
            }
            fclose(file)
            target(bytes)
        }
    }
}
#endif
