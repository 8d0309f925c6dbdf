import ArgumentParser

/// The command a mistyped one most likely meant (`quer` → `query`, `journal verfy` → `journal
/// verify`).
enum CommandSuggestion {
    /// A word of a command line that names no command where a command's name must stand.
    struct Mistake {
        /// The command the word follows (`infinity`, `infinity journal`).
        let parent: String
        /// The word as typed.
        let typed: String
        /// The full command it most likely meant (`infinity journal verify`); nil when nothing is
        /// close enough.
        let suggestion: String?

        /// The one line that says so.
        var message: String {
            let help = "(see `\(parent) --help`)"
            guard let suggestion else { return "Error: '\(typed)' is not an `\(parent)` command \(help)\n" }
            return "Error: '\(typed)' is not an `\(parent)` command; did you mean `\(suggestion)`? \(help)\n"
        }
    }

    /// The first word of `arguments` that stands where a command's name must and names none: the
    /// first word, or the word after a command that has subcommands (even one with a default: its
    /// default takes no words). Nil when every such word names a command, or at the top level when
    /// nothing is close enough to the word to be a typo (it is left to ArgumentParser's message).
    /// `infinity … help` is rewritten by ``helpRequest(in:)`` before this is asked.
    static func mistake(in arguments: [String]) -> Mistake? {
        var command: any ParsableCommand.Type = Infinity.self
        var path = "infinity"
        for word in arguments {
            let children = command.configuration.subcommands
            guard !children.isEmpty, !word.hasPrefix("-") else { return nil }
            if let child = subcommand(of: command, named: word) {
                command = child
                path += " " + word
                continue
            }
            let top = path == "infinity"
            if top && word == "help" { return nil }
            let closest = closest(to: word, among: children.map { $0._commandName } + (top ? ["help"] : []))
            if top && closest == nil { return nil }
            return Mistake(parent: path, typed: word, suggestion: closest.map { path + " " + $0 })
        }
        return nil
    }

    /// `infinity sites help` (and `infinity import access-log help`) as ArgumentParser understands
    /// it: `infinity help sites`. Nil unless `help` is the last word and every word before it names
    /// a command.
    static func helpRequest(in arguments: [String]) -> [String]? {
        guard arguments.count > 1, arguments.last == "help" else { return nil }
        var command: any ParsableCommand.Type = Infinity.self
        for word in arguments.dropLast() {
            guard let child = subcommand(of: command, named: word) else { return nil }
            command = child
        }
        return ["help"] + arguments.dropLast()
    }

    /// `command`'s subcommand called `name`, if it has one.
    private static func subcommand(of command: any ParsableCommand.Type, named name: String)
        -> (any ParsableCommand.Type)?
    {
        command.configuration.subcommands.first { $0._commandName == name }
    }

    /// The name in `names` closest to `word`, if close enough to be a typo of it.
    static func closest(to word: String, among names: [String]) -> String? {
        let scored = names.map { ($0, distance(word.lowercased(), $0)) }.min { $0.1 < $1.1 }
        guard let (name, score) = scored, score <= max(2, name.count / 3) || name.hasPrefix(word.lowercased()) else {
            return nil
        }
        return name
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where j <= b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
