import Foundation
import InfinityTestSupport
import Journal
import Testing

@testable import Projections

/// A browser or OS column that follows from its version column is stored as a map from version
/// keys to family keys, and a reader derives the column from it.
struct DerivedColumnTests {
    static let browser = FoldSlots.slot(of: .browser)
    static let browserVersion = FoldSlots.slot(of: .browserVersion)
    static let os = FoldSlots.slot(of: .os)
    static let osVersion = FoldSlots.slot(of: .osVersion)

    /// A rebuilt day file of generated traffic: its path and its decoded contents.
    static func dayFile(_ data: TemporaryDirectory) throws -> (path: String, file: DayFile) {
        try Fixtures.writeJournal(data: data.path, days: 1, perDay: 3_000)
        _ = try Fixtures.rebuild(data: data.path)
        let path = try Fixtures.anyDayFile(data: data.path)
        return (path, try RollupCodec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path))
    }

    static func values(_ column: PackedColumn) -> [UInt32] { (0..<column.count).map { column[$0] } }

    @Test("browser and OS columns are stored as maps of their version keys and read back as each visit's family")
    func familiesStoredAsMaps() throws {
        let data = TemporaryDirectory()
        let (path, file) = try Self.dayFile(data)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let reader = try DayFileReader(bytes: bytes, path: path)
        let table = file.visits
        #expect(table.visitCount > 100)
        for (slot, source) in [(Self.browser, Self.browserVersion), (Self.os, Self.osVersion)] {
            #expect(reader.contains(DaySection.column(.sessionMap(slot))), "the map is stored")
            #expect(!reader.contains(DaySection.column(.session(slot))), "the column itself is not")
            let families = table.keys[KeySpace(Dimension.sessionLevel[slot]).rawValue]
            let versions = table.keys[KeySpace(Dimension.sessionLevel[source]).rawValue]
            let family = Self.values(table.sessionKeys[slot]), version = Self.values(table.sessionKeys[source])
            #expect(family.count == table.visitCount)
            // A version key names its family: "Chrome 120" is Chrome's, "" (unknown) is "".
            for visit in 0..<table.visitCount {
                let name = families[Int(family[visit])], versioned = versions[Int(version[visit])]
                #expect(versioned == name || versioned.hasPrefix(name + " "), "visit \(visit): \(name) / \(versioned)")
            }
        }
        // The stored cells were counted from the fold's own columns; counted again from the
        // derived ones, every browser and OS cell is the same.
        let recounted = CellCounter.count(
            table, into: DayRollup(site: file.rollup.site, day: file.rollup.day, position: file.rollup.position),
            filter: nil, scope: .stored)
        for dimension in [Dimension.browser, .os] {
            #expect(recounted[dimension].rows == file.rollup[dimension].rows)
            #expect(recounted[dimension].rows.count > 1)
        }
    }

    @Test("a browser column that does not follow from its version column is stored as it is and read back exactly")
    func columnThatDoesNotFollowIsStored() throws {
        let data = TemporaryDirectory()
        let (path, file) = try Self.dayFile(data)
        var table = file.visits
        var family = Self.values(table.sessionKeys[Self.browser])
        let version = Self.values(table.sessionKeys[Self.browserVersion])
        let browsers = table.keys[KeySpace.browser.rawValue].count
        #expect(browsers > 1)
        // The second visit of some version key gets another family than the first.
        var firstOfVersion: [UInt32: Int] = [:]
        var changed = false
        for visit in family.indices where !changed {
            if let first = firstOfVersion[version[visit]] {
                family[visit] = (family[first] + 1) % UInt32(browsers)
                changed = true
            } else {
                firstOfVersion[version[visit]] = visit
            }
        }
        #expect(changed)
        table.sessionKeys[Self.browser] = PackedColumn(family)
        let bytes = RollupCodec.encode(DayFile(rollup: file.rollup, visits: table))
        let reader = try DayFileReader(bytes: bytes, path: path)
        #expect(reader.contains(DaySection.column(.session(Self.browser))))
        #expect(!reader.contains(DaySection.column(.sessionMap(Self.browser))))
        #expect(reader.contains(DaySection.column(.sessionMap(Self.os))), "the OS column still follows")
        let read = try reader.visits(.session(.browser))
        #expect(Self.values(read.sessionKeys[Self.browser]) == family)
    }

    @Test("a key map shorter than its version keys is refused as damaged, naming the file and the column")
    func shortMapIsRefused() throws {
        let data = TemporaryDirectory()
        let (path, file) = try Self.dayFile(data)
        #expect(file.visits.keys[KeySpace.browserVersion.rawValue].count > 1)
        let mapID = DaySection.column(.sessionMap(Self.browser))
        let sections = RollupCodec.sections(of: file)
        #expect(sections.contains { $0.0 == mapID })
        let short = StoredColumn.encode(PackedColumn([0]), starts: false)
        let damaged = RollupCodec.encode(sections: sections.map { $0.0 == mapID ? (mapID, short) : $0 })
        do {
            _ = try DayFileReader(bytes: damaged, path: path).visits(.session(.browser))
            Issue.record("a browser column was derived from a map that does not cover its version keys")
        } catch let error as ProjectionError {
            #expect("\(error)".contains(path))
            #expect("\(error)".contains("visit column"))
        }
        // The OS column, whose map is whole, still reads.
        let os = try DayFileReader(bytes: damaged, path: path).visits(.session(.os))
        #expect(os.sessionKeys[Self.os].count == file.visits.visitCount)
    }
}
