/// The dashboard's page, script and style sheet, compiled into the binary (SwiftPM `embedInCode`),
/// so the server needs no files next to it and loads nothing from anywhere else.
enum DashboardAssets {
    /// `index.html`.
    static let html = String(decoding: PackageResources.index_html, as: UTF8.self)
    /// `app.js`.
    static let script = String(decoding: PackageResources.app_js, as: UTF8.self)
    /// `app.css`.
    static let style = String(decoding: PackageResources.app_css, as: UTF8.self)
    /// `world.json`: country outlines for the map (Natural Earth 1:110m, public domain; made by
    /// `Scripts/make-world-map.py`), one SVG path per ISO country code.
    static let world = String(decoding: PackageResources.world_json, as: UTF8.self)
}
