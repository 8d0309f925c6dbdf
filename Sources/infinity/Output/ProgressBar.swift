/// A one-line progress bar on standard error: done/total, rate and ETA. Drawn only when standard
/// error is a terminal, at most ten times a second, so it costs nothing in scripts.
struct ProgressBar {
    let title: String
    let total: Double
    let unit: String
    private let enabled: Bool
    private let started = Terminal.seconds()
    private var lastDrawn = 0.0

    init(title: String, total: Double, unit: String, enabled: Bool = Terminal.stderrIsTerminal) {
        self.title = title
        self.total = max(total, 1)
        self.unit = unit
        self.enabled = enabled
    }

    /// Redraws with `done` units finished (and `count` items, e.g. records, for the rate).
    mutating func update(done: Double, count: Double, countUnit: String) {
        guard enabled else { return }
        let now = Terminal.seconds()
        guard now - lastDrawn >= 0.1 || done >= total else { return }
        lastDrawn = now
        let fraction = min(done / total, 1)
        let width = 24
        let filled = Int(fraction * Double(width))
        let elapsed = now - started
        let rate = elapsed > 0 ? count / elapsed : 0
        let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        Terminal.writeError(
            "\r\(title) \(bar) \(Format.count(done))/\(Format.count(total)) \(unit) · \(Format.count(count)) \(countUnit) · \(Format.count(rate))/s · ETA \(Format.duration(eta))   "
        )
    }

    /// Ends the bar's line (nothing when it was never drawn).
    func finish() {
        if enabled && lastDrawn > 0 { Terminal.writeError("\n") }
    }
}
