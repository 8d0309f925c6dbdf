import Projections

extension QueryRequest {
    /// The questions of the overview (the CLI's `infinity query SITE` and the benchmark of it):
    /// the headline numbers against the previous period, visitors per day, and the top five of
    /// pages, sources, countries and devices — all over this request's site, range and filter.
    public var overview: Overview {
        var headline = self
        headline.metrics = [.visitors, .visits, .pageviews, .viewsPerVisit, .bounceRate, .visitDuration]
        headline.comparison = .previousPeriod
        var series = self
        series.metrics = [.visitors]
        series.dimensions = [.time(.day)]
        let panels: [(String, Dimension)] = [
            ("Top pages", .page), ("Top sources", .source), ("Top countries", .country), ("Devices", .device),
        ]
        return Overview(
            headline: headline, series: series,
            panels: panels.map { title, dimension in
                var top = self
                top.metrics = [.visitors, .percentage]
                top.dimensions = [.dimension(dimension)]
                top.limit = 5
                return Overview.Panel(title: title, dimension: dimension, request: top)
            })
    }

    /// The overview's questions.
    public struct Overview: Sendable {
        /// One top-five panel.
        public struct Panel: Sendable {
            /// Its title (`Top pages`).
            public var title: String
            /// Its breakdown.
            public var dimension: Dimension
            /// Its question.
            public var request: QueryRequest
        }

        /// The headline numbers with their change against the previous period.
        public var headline: QueryRequest
        /// Visitors per day.
        public var series: QueryRequest
        /// The top fives.
        public var panels: [Panel]

        /// Every question, in order.
        public var all: [QueryRequest] { [headline, series] + panels.map(\.request) }
    }
}
