import Ingest

/// Decodes the body of `POST /api/event` in Plausible's shape (`n`/`name`, `u`/`url`,
/// `d`/`domain`, `r`/`referrer`, `p`/`props`, `h`/`hashMode`, `$`/`revenue`, `i`/`interactive`,
/// `w`; `e` and `sd` of an engagement report), so that sites can keep the tracker they have.
enum EventPayload {
    struct Problem: Error {
        let field: String?
        let message: String
    }

    /// The event in a body, or every problem found in it.
    enum Outcome {
        case event(IncomingEvent)
        case failure([Problem])
    }

    /// The event in `body`, or every problem found in it.
    static func decode(_ body: [UInt8]) -> Outcome {
        // Plain ASCII (nearly every body) is valid UTF-8; only other bytes need the full check,
        // which builds a string.
        guard body.allSatisfy({ $0 < 0x80 }) || String(validating: body, as: UTF8.self) != nil else {
            return .failure([Problem(field: nil, message: "the body is not valid UTF-8")])
        }
        let json: JSONValue
        do {
            json = try body.withUnsafeBufferPointer { try JSONValue.parse($0) }
        } catch let error as JSONValue.Malformed {
            return .failure([Problem(field: nil, message: "the body is not valid JSON: \(error.message)")])
        } catch {
            return .failure([Problem(field: nil, message: "the body is not valid JSON")])
        }
        guard case .object = json else {
            return .failure([Problem(field: nil, message: "the body must be a JSON object, not \(kind(of: json))")])
        }
        var problems: [Problem] = []
        let members = Members(json)
        func member(_ field: Field) -> JSONValue? {
            switch members[field] {
            case nil, .null?: nil
            case let value?: value
            }
        }
        func string(_ field: Field, required: Bool) -> String? {
            guard let value = member(field) else {
                if required { problems.append(Problem(field: field.short, message: "is required")) }
                return nil
            }
            guard case .string(let text) = value else {
                problems.append(Problem(field: field.short, message: "must be a string"))
                return nil
            }
            return text
        }
        /// An object, or a JSON string holding one (the tracker may send either).
        func object(_ value: JSONValue) -> JSONValue? {
            if case .object = value { return value }
            if case .string(let text) = value,
                let parsed = try? Array(text.utf8).withUnsafeBufferPointer({ try JSONValue.parse($0) }),
                case .object = parsed
            {
                return parsed
            }
            return nil
        }
        let name = string(.name, required: true)
        let url = string(.url, required: true)
        let domain = string(.domain, required: true)
        let referrer = string(.referrer, required: false)
        var props: [(key: String, value: PropertyValue)] = []
        if let raw = member(.props) {
            if case .object(let members)? = object(raw) {
                props = members.map { ($0.key, property($0.value)) }
            } else {
                problems.append(Problem(field: Field.props.short, message: "must be an object of properties"))
            }
        }
        var revenue: (amount: PropertyValue, currency: String)?
        if let raw = member(.revenue) {
            if let map = object(raw), case .string(let currency)? = map["currency"], let amount = map["amount"] {
                revenue = (property(amount), currency)
            } else {
                problems.append(
                    Problem(field: Field.revenue.short, message: "must be an object with amount and currency"))
            }
        }
        let hashMode = flag(member(.hashMode)) ?? false
        let interactive = flag(member(.interactive)) ?? true
        let privacySignal = flag(member(.privacySignal)) ?? false
        var width: Int?
        if let raw = member(.width) {
            if case .number(let number) = raw, abs(number) < 1e9 {
                width = Int(number)
            } else {
                problems.append(Problem(field: Field.width.short, message: "must be a number"))
            }
        }
        func number(_ field: Field) -> Double? {
            guard let raw = member(field) else { return nil }
            if case .number(let value) = raw, value.isFinite { return value }
            problems.append(Problem(field: field.short, message: "must be a number"))
            return nil
        }
        let engaged = number(.engaged)
        let scroll = number(.scroll)
        guard problems.isEmpty, let name, let url, let domain else { return .failure(problems) }
        var event = IncomingEvent(
            name: name, url: url, domain: domain, referrer: referrer, props: props, revenue: revenue,
            hashMode: hashMode, interactive: interactive, screenWidth: width, privacySignal: privacySignal)
        event.engagedMilliseconds = engaged
        event.scrollDepth = scroll
        return .event(event)
    }

    /// A member the event reads, known by a short name (the tracker's) and a long one (Plausible's
    /// API; the same for `w`, `e` and `sd`).
    enum Field: Int, CaseIterable {
        case name, url, domain, referrer, props, revenue, hashMode, interactive, privacySignal, width, engaged, scroll

        /// The short name, which problems are reported under.
        var short: String {
            switch self {
            case .name: "n"
            case .url: "u"
            case .domain: "d"
            case .referrer: "r"
            case .props: "p"
            case .revenue: "$"
            case .hashMode: "h"
            case .interactive: "i"
            case .privacySignal: "g"
            case .width: "w"
            case .engaged: "e"
            case .scroll: "sd"
            }
        }

        /// The long name (the short one where there is no other).
        var long: String {
            switch self {
            case .name: "name"
            case .url: "url"
            case .domain: "domain"
            case .referrer: "referrer"
            case .props: "props"
            case .revenue: "revenue"
            case .hashMode: "hashMode"
            case .interactive: "interactive"
            case .privacySignal: "privacySignal"
            case .width, .engaged, .scroll: short
            }
        }

        /// The field `key` names and whether by its short name; nil for keys the event ignores.
        /// A short name is told by its bytes and a long one compared with the names of its length,
        /// so that a body's members are sorted in one pass, where a lookup of each field by both
        /// its names compared every member's key two dozen times.
        static func named(_ key: String) -> (field: Field, short: Bool)? {
            var key = key
            return key.withUTF8 { bytes -> (field: Field, short: Bool)? in
                switch bytes.count {
                case 0: return nil
                case 1:
                    let field: Field? =
                        switch bytes[0] {
                        case UInt8(ascii: "n"): .name
                        case UInt8(ascii: "u"): .url
                        case UInt8(ascii: "d"): .domain
                        case UInt8(ascii: "r"): .referrer
                        case UInt8(ascii: "p"): .props
                        case UInt8(ascii: "$"): .revenue
                        case UInt8(ascii: "h"): .hashMode
                        case UInt8(ascii: "i"): .interactive
                        case UInt8(ascii: "g"): .privacySignal
                        case UInt8(ascii: "w"): .width
                        case UInt8(ascii: "e"): .engaged
                        default: nil
                        }
                    return field.map { ($0, true) }
                case 2:
                    return bytes[0] == UInt8(ascii: "s") && bytes[1] == UInt8(ascii: "d") ? (.scroll, true) : nil
                default:
                    for field in allCases where field.long.utf8.count == bytes.count {
                        if field.long.utf8.elementsEqual(bytes) { return (field, false) }
                    }
                    return nil
                }
            }
        }
    }

    /// The members of a body's object that the event reads: for each field the first member under
    /// its short name, else the first under its long name, as a lookup by each name would find.
    struct Members {
        private let members: [(key: String, value: JSONValue)]
        /// Two slots a field (under its short name, then its long one): the member's index, or -1.
        /// A vector on the stack, not an array of values: no allocation and no generic copies.
        private var slots = SIMD32<Int32>(repeating: -1)

        init(_ json: JSONValue) {
            guard case .object(let members) = json else {
                self.members = []
                return
            }
            self.members = members
            for (index, member) in members.enumerated() {
                guard let (field, short) = Field.named(member.key) else { continue }
                let slot = 2 * field.rawValue + (short ? 0 : 1)
                if slots[slot] < 0 { slots[slot] = Int32(index) }
            }
        }

        subscript(field: Field) -> JSONValue? {
            let short = slots[2 * field.rawValue]
            let index = short >= 0 ? short : slots[2 * field.rawValue + 1]
            return index >= 0 ? members[Int(index)].value : nil
        }
    }

    private static func property(_ value: JSONValue) -> PropertyValue {
        switch value {
        case .null: .null
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        case .bool(let flag): .bool(flag)
        case .array, .object: .structured
        }
    }

    private static func flag(_ value: JSONValue?) -> Bool? {
        switch value {
        case .bool(let flag)?: flag
        case .number(let number)?: number != 0
        default: nil
        }
    }

    private static func kind(of json: JSONValue) -> String {
        switch json {
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null, .object: "null"
        }
    }
}
