import Journal

/// Namespace of the Ingest module: the edge pipeline that turns a raw request into an anonymized ``Hit``.
///
/// Issue 3 builds the pipeline here (visitor ids, GeoIP, user agents, bots, referrers); the module
/// depends on Journal only and never on a web framework.
public enum Ingest {}
