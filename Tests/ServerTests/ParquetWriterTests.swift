import Foundation
import InfinityTestSupport
import Testing

@testable import Server

/// The Parquet writer read back by DuckDB: dictionary and PLAIN string columns (the dictionary
/// filling up mid-group), nulls, integers, booleans, several row groups.
@Suite("Parquet files")
struct ParquetWriterTests {
    @Test("DuckDB reads back every value, null and row group, also after a dictionary overflows into PLAIN values")
    func readsBack() throws {
        let python = try #require(
            BrowserTests.python, "DuckDB is needed: run `make test` (it installs it into .build/oracle)")
        let folder = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/t.parquet"
        try #require(FileManager.default.createFile(atPath: path, contents: nil))
        let file = try #require(FileHandle(forWritingAtPath: path))
        var writer = try ParquetWriter(
            columns: [
                .init(name: "id", kind: .int64), .init(name: "unique", kind: .string),
                .init(name: "few", kind: .string), .init(name: "maybe", kind: .string, optional: true),
                .init(name: "amount", kind: .int64, optional: true), .init(name: "flag", kind: .boolean),
            ], rowsPerGroup: 100_000
        ) { try file.write(contentsOf: Data($0)) }
        let rows = 130_000  // the first group's "unique" passes the dictionary's 65,536 values
        var expectedLength = 0, expectedAmount: Int64 = 0, nulls = 0, flags = 0
        for id in 0..<rows {
            let unique = "/page/\(id)/ü"
            expectedLength += unique.count
            let maybe: ParquetWriter.Value = id % 3 == 0 ? .null : .string("v\(id % 7)")
            if id % 3 == 0 { nulls += 1 }
            let amount: ParquetWriter.Value = id % 5 == 0 ? .int64(Int64(id) * 3 - 100_000) : .null
            if id % 5 == 0 { expectedAmount += Int64(id) * 3 - 100_000 }
            if id % 2 == 0 { flags += 1 }
            try writer.append([
                .int64(Int64(id)), .string(unique), .string(["Chrome", "Firefox", "Safari"][id % 3]), maybe, amount,
                .bool(id % 2 == 0),
            ])
        }
        try writer.finish()
        try file.close()
        let script = """
            import duckdb, json, sys
            c = duckdb.connect()
            t = f"read_parquet('{sys.argv[1]}')"
            row = c.sql(f"SELECT count(*), count(DISTINCT \\"unique\\"), sum(length(\\"unique\\")), count(DISTINCT few), count(maybe), sum(amount), count(amount), sum(flag::INT), sum(id) FROM {t}").fetchall()[0]
            sample = c.sql(f"SELECT \\"unique\\", few, maybe, amount, flag FROM {t} WHERE id IN (0, 65537, 129999) ORDER BY id").fetchall()
            groups = c.sql(f"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{sys.argv[1]}')").fetchall()[0][0]
            print(json.dumps({"row": [int(v) for v in row], "sample": [[str(v) for v in r] for r in sample], "groups": groups}))
            """
        let run = try PythonScript.run(python, script: script, arguments: [path])
        try #require(run.status == 0, "\(run.errors)")
        let output = run.output
        let report = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect(
            report["row"] as? [Int]
                == [
                    rows, rows, expectedLength, 3, rows - nulls, Int(expectedAmount), (rows + 4) / 5, flags,
                    rows * (rows - 1) / 2,
                ])
        #expect(
            report["sample"] as? [[String]]
                == [
                    ["/page/0/ü", "Chrome", "None", "-100000", "True"],
                    ["/page/65537/ü", "Safari", "v\(65537 % 7)", "None", "False"],
                    ["/page/129999/ü", "Chrome", "None", "None", "False"],
                ])
        #expect(report["groups"] as? Int == 2)
    }
}
