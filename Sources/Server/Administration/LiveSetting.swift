import Synchronization

/// A setting that may change while the server runs (the config file reloaded on SIGHUP): read
/// where it is used, each time it is used.
public final class LiveSetting<Value: Sendable>: Sendable {
    private let current: Mutex<Value>

    /// A setting with its first value.
    public init(_ value: Value) { current = Mutex(value) }

    /// The value now.
    public var value: Value { current.withLock { $0 } }

    /// Replaces the value.
    public func update(_ value: Value) { current.withLock { $0 = value } }
}
