import Foundation

/// Where `swift build` put the `infinity` executable, for tests that run the real binary.
public enum BuiltBinary {
    /// The executable next to the running test bundle, or in the package's debug build folder.
    public static let infinity: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test runner may live inside a bundle folder; walk up until the binary is found.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("infinity")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/infinity")
    }()

    /// The package's root folder.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures`: the reference data tests read (sources and licenses in its README).
    public static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures")

    /// The GeoIP country database the product ships (DB-IP Country Lite).
    public static let geoip = packageRoot.appendingPathComponent(
        "Sources/infinity/Resources/GeoIP/dbip-country-lite.mmdb")
}

/// A small seeded random generator (SplitMix64), so that a failing run can be repeated.
public struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
