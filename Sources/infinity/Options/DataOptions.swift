import ArgumentParser
import Journal

/// The `--data` option every command that touches stored data shares.
struct DataOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The data folder (journal, rollups, sites). Example: --data /var/lib/infinity", valueName: "dir"))
    var data: String = "./data"

    /// The journal folder inside the data folder.
    var journal: JournalDirectory { JournalDirectory(dataDirectory: data) }
}
