/// An error found while a command runs (a bad setting in a config file or the environment): one
/// line that says what and where, without ArgumentParser's usage text, which is for mistyped flags.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
