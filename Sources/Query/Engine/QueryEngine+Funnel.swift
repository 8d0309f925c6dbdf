import Projections

extension QueryEngine {
    /// Answers a funnel: for each step, the visitors with a visit that reached it (the steps before
    /// it matched in order; see ``Filter/sequence(_:)``), summed over the range's days like every
    /// visitor count, and the conversion rate from the first step in percent. The totals row holds
    /// the last step's visitors and the whole funnel's conversion rate.
    func answer(
        funnel name: String, question: DayQuestion, goals: [Goal], days: ClosedRange<Int64>,
        started: ContinuousClock.Instant
    ) throws -> QueryResult {
        let site = question.request.site
        let funnels = definitions?.funnels(of: site) ?? []
        guard let funnel = funnels.first(where: { $0.name == name }) else {
            let known = funnels.map { "'\($0.name)'" }.joined(separator: ", ")
            throw QueryError.invalid(
                "\(site) has no funnel named '\(name)' (defined: \(known.isEmpty ? "none" : known)); define one with `infinity funnels add \(site) NAME --step … --step …`",
                field: "funnel")
        }
        let steps = try funnel.conditions(goals: goals)
        var plain = question
        plain.dimensions = []
        plain.hourly = false
        var reached: [Int64] = []
        var last: CountedDays?
        for count in 1...steps.count {
            var one = plain
            let sequence = Filter.sequence(Array(steps.prefix(count)))
            one.request.filter = plain.request.filter.map { .and([$0, sequence]) } ?? sequence
            let counted = try counter.count(one)
            let sums = Aggregator(days: counted.days, selection: counted.selection)
            reached.append(days.reduce(0) { $0 + sums.base($1, hour: DayRollup.wholeDay).visitors })
            last = counted
        }
        func rate(_ visitors: Int64) -> Double? {
            reached[0] == 0 ? nil : Double(visitors) / Double(reached[0]) * 100
        }
        let rows = zip(funnel.labels, reached).map { label, visitors in
            QueryResult.Row(
                dimensions: [label], metrics: [Double(visitors), rate(visitors)], comparison: nil, change: nil)
        }
        let final = reached[reached.count - 1]
        let totals = QueryResult.Row(
            dimensions: [], metrics: [Double(final), rate(final)], comparison: nil, change: nil)
        let page = Array(rows.dropFirst(question.request.offset).prefix(question.request.limit ?? Int.max))
        return try finish(
            rows: page, totals: totals, loaded: last ?? CountedDays(days: [:], path: "visits"), warnings: [],
            question: question, started: started, comparisonDays: nil)
    }
}
