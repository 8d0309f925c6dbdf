import Foundation

/// The country database that comes with infinity: DB-IP IP to Country Lite (CC BY 4.0), copied
/// next to the executable by the build as the `infinity` target's resource bundle.
enum ShippedGeoIP {
    static let fileName = "dbip-country-lite.mmdb"

    /// Its path, if the resource bundle is next to the running executable (or, in a build tree,
    /// where the sources are).
    static var path: String? {
        var candidates: [String] = []
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let folder = executable.deletingLastPathComponent()
            candidates.append(
                folder.appendingPathComponent("infinity-metrics_infinity.resources/GeoIP/\(fileName)").path)
            candidates.append(folder.appendingPathComponent("../share/infinity/\(fileName)").standardized.path)
        }
        // A build run from its checkout: the file as it is in the sources.
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(sources.appendingPathComponent("Resources/GeoIP/\(fileName)").path)
        return candidates.first { FileManager.default.isReadableFile(atPath: $0) }
    }

    /// The database a `--geoip` setting names: the file given, none for `none` or `off`, and the
    /// shipped one when nothing is given (nil if it is not found).
    static func resolve(_ setting: String?) -> String? {
        switch setting {
        case "none", "off": nil
        case let named?: named
        case nil: path
        }
    }
}
