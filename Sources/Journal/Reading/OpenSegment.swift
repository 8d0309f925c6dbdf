/// The open file a header walk read a segment from, kept by the headers it found there.
///
/// Between listing headers and loading their blocks, the compactor may rename a regrouped copy over
/// a sealed segment and retention may delete one; a loader that opened the segment by its name then
/// would read other blocks, or nothing, at the listed offsets. Loading through the descriptor the
/// walk used reads the bytes the headers describe, however long ago they were listed.
struct OpenSegment: @unchecked Sendable {
    // Invariant: a reader's file is only read with positional reads (`pread`) and `fstat`, which
    // are safe from any thread, and it is never renamed, so threads may share it.
    let file: OpenFile
}
