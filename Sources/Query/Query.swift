import Projections

/// Namespace of the Query module: the one query model behind the CLI, the Stats API and the dashboard.
///
/// Issue 6 builds the planner and the engine here.
public enum Query {}
