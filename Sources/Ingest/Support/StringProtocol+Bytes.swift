extension StringProtocol {
    /// Whether the UTF-8 bytes of `needle` occur in this text: a byte search, without
    /// Foundation's locale-aware `range(of:)` (which cost more than a whole hit's classification).
    func containsBytes(_ needle: StaticString) -> Bool {
        let pattern = UnsafeRawBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = pattern.first else { return true }
        let bytes = utf8
        var start = bytes.startIndex
        while let found = bytes[start...].firstIndex(of: first) {
            if bytes[found...].starts(with: pattern) { return true }
            start = bytes.index(after: found)
        }
        return false
    }
}
