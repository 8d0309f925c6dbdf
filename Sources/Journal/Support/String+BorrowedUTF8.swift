extension String {
    /// Calls `body` with the string's UTF-8 bytes, in place when they are contiguous (every native
    /// string, small ones included), without the copy that `withUTF8` needs: that one is
    /// `mutating`, so calling it on a parameter first copies the string, a retain and a release of
    /// its storage each time. On hot paths (the journal writer's dictionaries, the visitor hash)
    /// those were several of each per record.
    @inlinable
    public func withBorrowedUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
