import Foundation

/// Reads Google Analytics-style daily reports saved as CSV (GA4's "Download file → CSV", a
/// Universal Analytics export, or any spreadsheet with the same columns): one table per file, a
/// date column, at most one dimension (with its version or host), and counts. Comment lines
/// (`# …`) before the header are skipped, and the first blank line after the rows ends the table
/// (later sections are summaries). Which columns are read, and what each becomes, is in
/// Docs/import.md.
public enum AnalyticsCSV {
    /// What a recognised column holds.
    enum Column {
        case date
        /// Label number `index` of `table`.
        case label(ImportedTable, Int)
        /// A country's English name (GA's `Country`), to be turned into its code.
        case countryName
        /// `google / organic`: a source and a medium in one column.
        case sourceMedium
        case number(ImportedField)
        /// A share of visits that bounced (`45.5%` or GA4's `0.455`).
        case bounceRate
        /// Visits that did not bounce (GA4's engaged sessions).
        case engagedVisits
        /// A visit's mean duration (`83.4` seconds or `00:01:23`).
        case meanDuration
    }

    /// Header names, lower case without spaces, dots, underscores or a `ga:` prefix.
    static let columns: [String: Column] = {
        var map: [String: Column] = ["date": .date, "day": .date]
        for name in ["pagepath", "page", "pagepathandscreenclass", "pagepath+querystring", "pagepathplusquerystring"] {
            map[name] = .label(.pages, 1)
        }
        map["hostname"] = .label(.pages, 0)
        for name in ["landingpage", "landingpage+querystring", "landingpageplusquerystring"] {
            map[name] = .label(.entryPages, 0)
        }
        map["exitpage"] = .label(.exitPages, 0)
        for name in ["source", "sessionsource", "firstusersource"] { map[name] = .label(.sources, 0) }
        for name in ["medium", "sessionmedium", "firstusermedium"] { map[name] = .label(.sources, 3) }
        for name in ["source/medium", "sessionsource/medium", "firstusersource/medium"] { map[name] = .sourceMedium }
        for name in ["campaign", "sessioncampaign", "sessioncampaignname", "firstusercampaign"] {
            map[name] = .label(.sources, 4)
        }
        for name in ["sessiondefaultchannelgroup", "defaultchannelgroup", "defaultchannelgrouping", "channelgrouping"] {
            map[name] = .label(.sources, 7)
        }
        map["country"] = .countryName
        for name in ["countryid", "countryisocode", "countrycode"] { map[name] = .label(.locations, 0) }
        for name in ["devicecategory", "device"] { map[name] = .label(.devices, 0) }
        map["browser"] = .label(.browsers, 0)
        map["browserversion"] = .label(.browsers, 1)
        map["operatingsystem"] = .label(.operatingSystems, 0)
        map["operatingsystemversion"] = .label(.operatingSystems, 1)
        map["eventname"] = .label(.customEvents, 0)
        for name in ["users", "totalusers", "activeusers", "visitors", "uniquevisitors"] {
            map[name] = .number(.visitors)
        }
        for name in ["sessions", "visits"] { map[name] = .number(.visits) }
        for name in ["pageviews", "views", "screenpageviews"] { map[name] = .number(.pageviews) }
        for name in ["eventcount", "totalevents", "events"] { map[name] = .number(.events) }
        map["bounces"] = .number(.bounces)
        map["bouncerate"] = .bounceRate
        map["engagedsessions"] = .engagedVisits
        for name in ["avgsessionduration", "averagesessionduration", "avgvisitduration"] { map[name] = .meanDuration }
        for name in ["sessionduration", "totalsessionduration", "visitduration"] {
            map[name] = .number(.durationSeconds)
        }
        return map
    }()

    /// A header name as the table above has it.
    static func normalized(_ name: String) -> String {
        var text = name.lowercased()
        if text.hasPrefix("ga:") { text.removeFirst(3) }
        return String(text.filter { !" ._-".contains($0) })
    }

    /// English country names and their codes (`Germany` → `DE`), from the system's locale data.
    static let countryCodes: [String: String] = {
        let english = Locale(identifier: "en_US")
        var codes: [String: String] = [:]
        for region in Locale.Region.isoRegions where region.identifier.count == 2 {
            if let name = english.localizedString(forRegionCode: region.identifier) {
                codes[name.lowercased()] = region.identifier
            }
        }
        // Names GA writes that the locale data spells another way.
        for (name, code) in [
            ("united states of america", "US"), ("czech republic", "CZ"), ("russia", "RU"), ("turkey", "TR"),
            ("türkiye", "TR"), ("south korea", "KR"), ("vietnam", "VN"), ("hong kong", "HK"), ("macau", "MO"),
            ("myanmar (burma)", "MM"), ("côte d’ivoire", "CI"), ("cote d'ivoire", "CI"), ("bosnia & herzegovina", "BA"),
            ("trinidad & tobago", "TT"), ("congo - kinshasa", "CD"), ("congo - brazzaville", "CG"),
            ("north macedonia", "MK"), ("palestine", "PS"), ("taiwan", "TW"),
        ] where codes[name] == nil {
            codes[name] = code
        }
        return codes
    }()

    /// The rows of one report file; `file` names it in errors.
    public static func rows(_ bytes: [UInt8], file: String) throws -> (table: ImportedTable, rows: [ImportedRow]) {
        func refuse(_ message: String, line: Int) -> ProjectionError {
            ProjectionError(
                .invalidArgument, "\(file), line \(line): \(message)", file: file,
                hint:
                    "Export a report with Date as a dimension (GA4: add Date, download CSV); see Docs/import.md for the columns read"
            )
        }
        var records = CSVRecords(bytes)
        var header: (line: Int, fields: [String])?
        while let record = records.next() {
            let first = record.fields[0].trimmingCharacters(in: .whitespaces)
            if first.hasPrefix("#") || (record.fields.count == 1 && first.isEmpty) { continue }
            header = record
            break
        }
        guard let header else { throw refuse("no header line", line: 1) }
        let kinds = header.fields.map { columns[normalized($0.trimmingCharacters(in: .whitespaces))] }
        guard let date = kinds.firstIndex(where: { if case .date = $0 { true } else { false } }) else {
            throw refuse(
                "no Date column (columns: \(header.fields.joined(separator: ", "))); the rows must be days",
                line: header.line)
        }
        var tables = Set<ImportedTable>()
        for kind in kinds {
            switch kind {
            case .label(let table, _): tables.insert(table)
            case .countryName: tables.insert(.locations)
            case .sourceMedium: tables.insert(.sources)
            default: break
            }
        }
        guard tables.count <= 1 else {
            throw refuse(
                "more than one dimension (\(tables.map(\.description).sorted().joined(separator: ", "))); export one report per dimension",
                line: header.line)
        }
        let table = tables.first ?? .visitors
        guard kinds.contains(where: { if case .number(.visitors) = $0 { true } else { false } }) else {
            throw refuse("no Users (or Total users, Active users) column", line: header.line)
        }
        var rows: [ImportedRow] = []
        for (line, fields) in records {
            if fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty { break }  // end of table
            if fields[0].hasPrefix("#") { break }
            guard fields.count == kinds.count else {
                throw refuse("\(fields.count) fields where the header has \(kinds.count)", line: line)
            }
            let dateText = fields[date].trimmingCharacters(in: .whitespaces)
            guard let day = Self.day(dateText) else {
                if dateText.isEmpty || fields.contains(where: { $0.lowercased().contains("total") }) { continue }
                throw refuse("'\(dateText)' is not a date (YYYYMMDD or YYYY-MM-DD)", line: line)
            }
            var metrics = Metrics()
            var labels = Array(repeating: "", count: table.dimensions.count)
            var bounceRate: Double?, engaged: Double?, meanDuration: Double?
            for (index, kind) in kinds.enumerated() {
                guard let kind else { continue }
                let text = fields[index]
                func number() throws -> Double {
                    guard let value = ImportedField.number(text.replacingOccurrences(of: "%", with: "")) else {
                        throw refuse("'\(text)' in column \(header.fields[index]) is not a number", line: line)
                    }
                    return value
                }
                switch kind {
                case .date: break
                case .label(.devices, let position): labels[position] = ImportedField.device(text)
                case .label(.locations, let position): labels[position] = ImportedField.label(text).uppercased()
                case .label(_, let position): labels[position] = ImportedField.label(text)
                case .countryName: labels[0] = countryCodes[ImportedField.label(text).lowercased()] ?? ""
                case .sourceMedium:
                    let parts = text.components(separatedBy: " / ")
                    labels[0] = ImportedField.label(parts[0])
                    labels[3] = parts.count > 1 ? ImportedField.label(parts[1...].joined(separator: " / ")) : ""
                case .number(let field): field.add(try number(), to: &metrics)
                case .bounceRate:
                    let value = try number()
                    bounceRate = text.contains("%") ? value / 100 : value
                case .engagedVisits: engaged = try number()
                case .meanDuration:
                    meanDuration = try Self.seconds(text) ?? number()
                }
            }
            if let bounceRate {
                metrics.bounces = Int64((bounceRate * Double(metrics.visits)).rounded())
            } else if let engaged {
                metrics.bounces = max(0, metrics.visits - Int64(engaged.rounded()))
            }
            if let meanDuration { metrics.duration = Int64((meanDuration * Double(metrics.visits) * 1000).rounded()) }
            rows.append(ImportedRow(table: table, day: day, labels: labels, metrics: metrics))
        }
        return (table, rows)
    }

    /// `20261101` or `2026-11-01`.
    static func day(_ text: String) -> Int64? {
        if text.count == 8, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            let digits = Array(text)
            return DayKey.day(
                fromISODate: String(digits[0..<4]) + "-" + String(digits[4..<6]) + "-" + String(digits[6..<8]))
        }
        return DayKey.day(fromISODate: text)
    }

    /// `00:01:23` as seconds; nil when it is not in that form.
    static func seconds(_ text: String) -> Double? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let s = Double(parts[2]) else {
            return nil
        }
        return h * 3600 + m * 60 + s
    }
}
