import Foundation
import Journal
import Projections

/// The embedded counter: stored rollups when they answer the question exactly, else the stored
/// visit tables or the journal, always current to the last durable hit (see ``QueryPlan``).
struct LocalDayCounter: DayCounter {
    let worker: ProjectionWorker
    let cache: SectionCache?

    func count(_ question: DayQuestion) throws -> CountedDays {
        let plan = try QueryPlan.make(for: question.request, budget: question.budget)
        var needed = question.dimensions
        let selection: QueryPlan.Selection? = if case .rollups(let selection) = plan { selection } else { nil }
        if let selection { needed.insert(selection.dimension) }
        let loaded = try DaySource(worker: worker, cache: cache).load(
            site: question.request.site, days: question.days, plan: plan, dimensions: needed,
            hourly: question.hourly,
            engagement: question.request.metrics.contains { $0 == .timeOnPage || $0 == .scrollDepth })
        var counted = CountedDays(
            days: loaded.days, path: loaded.path, fromRollups: loaded.fromRollups, folded: loaded.folded,
            position: loaded.position, damaged: loaded.damaged)
        counted.selection = selection
        counted.notes = loaded.notes
        return counted
    }

    func firstDay(site: String, clock: LocalClock) throws -> Int64? {
        DaySource(worker: worker, cache: cache).firstDay(site: site)
    }

    func visitors(site: String, in window: Range<Int64>) throws -> Int {
        do {
            return try worker.visitors(site: site, in: window)
        } catch let error as ProjectionError {
            throw QueryError(.storage, error.description)
        }
    }
}
