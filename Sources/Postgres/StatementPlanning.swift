/// How a session plans the statements it has prepared.
public enum StatementPlanning: Sendable {
    /// Planned again on every call, for that call's parameters: right when
    /// the best plan depends on them (how many ids an array holds, which
    /// filters a request chose).
    case forEachCall
    /// Planned once per session and kept (PostgreSQL's generic plan), with
    /// sequential scans ruled out wherever an index serves. For sessions whose
    /// statements all find their rows by key: planning every call was a sixth
    /// of PostgreSQL's time in a load run, and a plan kept from when a table
    /// was nearly empty must not go on scanning it once it has grown.
    case oncePerSessionByKey

    /// The session settings that make it so.
    var settings: [(name: String, value: String)] {
        switch self {
        case .forEachCall:
            [("plan_cache_mode", "force_custom_plan")]
        case .oncePerSessionByKey:
            [("plan_cache_mode", "force_generic_plan"), ("enable_seqscan", "off")]
        }
    }
}
