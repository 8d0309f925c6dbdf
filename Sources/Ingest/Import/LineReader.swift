import Foundation

/// Reads a log line by line in bounded memory: a plain file, a `.gz` file (decompressed in-process
/// with zlib, ``GzipStream``), or
/// standard input (`-`). Line breaks may be `\n` or `\r\n`; a line longer than ``maxLineLength`` is
/// reported as such and skipped, and reading goes on with the next line.
public final class LineReader {
    /// The longest line read whole (1 MiB); longer ones come back as ``Line/tooLong``.
    public static let maxLineLength = 1 << 20

    /// One line.
    public enum Line: Sendable {
        /// A line's bytes, without its line break.
        case text(ArraySlice<UInt8>)
        /// A line longer than ``LineReader/maxLineLength`` (skipped).
        case tooLong
        /// The last line of the input, without a line break: it may still be being written, or
        /// the file was cut in the middle of it.
        case unterminated
    }

    /// The file as named (`-` for standard input).
    public let path: String
    /// Bytes of (decompressed) input read so far.
    public private(set) var bytesRead: Int64 = 0
    /// The file's size on disk, when known (plain files).
    public let size: Int64?
    /// Lines returned so far.
    public private(set) var lineNumber = 0

    private let handle: FileHandle
    private let gzip: GzipStream?
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private var discarding = false

    /// Opens `path`; throws a clear error when it cannot be read or is not text.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardInput
            gzip = nil
            size = nil
        } else {
            guard FileManager.default.isReadableFile(atPath: path), let opened = FileHandle(forReadingAtPath: path)
            else {
                throw IngestError(
                    .importFailed, "cannot read the log file", file: path, hint: "Check the path and its permissions")
            }
            handle = opened
            gzip = path.hasSuffix(".gz") ? try GzipStream(handle: opened, path: path) : nil
            // Progress is counted in decompressed bytes: a .gz file's size on disk does not say how many.
            size =
                gzip != nil
                ? nil : (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        }
    }

    /// The next line, or nil at the end.
    public func next() throws -> Line? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[start..<newline]
                start = newline + 1
                if discarding {
                    discarding = false
                    lineNumber += 1
                    return .tooLong
                }
                lineNumber += 1
                return .text(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
            }
            if buffer.count - start > Self.maxLineLength {
                // A line without end in sight: drop what we have and skip to its end.
                discarding = true
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            if finished {
                guard start < buffer.count else { return nil }
                start = buffer.count
                lineNumber += 1
                return .unterminated
            }
            try fill()
        }
    }

    private func fill() throws {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let chunk = try gzip?.read() ?? handle.readData(ofLength: 1 << 20)
        if chunk.isEmpty {
            finished = true
            return
        }
        if bytesRead == 0, let zero = chunk.prefix(4096).firstIndex(of: 0) {
            throw IngestError(
                .importFailed, "this is not a text access log (binary data at byte \(zero))", file: path,
                hint: "Give an uncompressed or .gz access log")
        }
        bytesRead += Int64(chunk.count)
        buffer.append(contentsOf: chunk)
    }
}
