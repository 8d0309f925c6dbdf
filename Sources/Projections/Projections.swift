import Journal

/// Namespace of the Projections module: sessions and rollups folded from the journal.
///
/// Issue 5 builds the fold, the rollup files and `infinity rebuild` here.
public enum Projections {}
