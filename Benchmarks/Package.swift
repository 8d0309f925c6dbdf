// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that ordo-one/benchmark and its dependencies never
// enter the product's build. Run them with `make bench` (or `swift package benchmark` here).
let package = Package(
    name: "InfinityBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "infinity-metrics", path: "../"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "Journal", package: "infinity-metrics"),
                .product(name: "Projections", package: "infinity-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/BenchmarkSupport"
        ),
        .executableTarget(
            name: "JournalBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Journal", package: "infinity-metrics"),
            ],
            path: "Benchmarks/JournalBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "IngestBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Ingest", package: "infinity-metrics"),
                .product(name: "Journal", package: "infinity-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/IngestBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ProjectionBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Journal", package: "infinity-metrics"),
                .product(name: "Projections", package: "infinity-metrics"),
                .product(name: "Query", package: "infinity-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ProjectionBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "QueryBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Journal", package: "infinity-metrics"),
                .product(name: "Projections", package: "infinity-metrics"),
                .product(name: "Query", package: "infinity-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/QueryBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
