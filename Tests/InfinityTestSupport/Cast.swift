import Foundation

/// A value of an unexpected type in a test's input (a command's JSON, a file's attributes).
public struct UnexpectedValue: Error, CustomStringConvertible {
    /// What was expected and what was found.
    public let description: String
}

/// `value` as a `T`, or an error saying what it was instead: a test reading JSON or file
/// attributes fails on an unexpected value where `as!` would crash the whole test run.
public func cast<T>(_ value: Any?, to _: T.Type = T.self) throws -> T {
    guard let typed = value as? T else {
        throw UnexpectedValue(
            description: "expected a \(T.self), found \(value.map { "\(type(of: $0)): \($0)" } ?? "nothing")")
    }
    return typed
}
