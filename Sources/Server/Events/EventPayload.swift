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
        func member(_ short: String, _ long: String) -> JSONValue? {
            switch json[short] ?? json[long] {
            case nil, .null?: nil
            case let value?: value
            }
        }
        func string(_ short: String, _ long: String, required: Bool) -> String? {
            guard let value = member(short, long) else {
                if required { problems.append(Problem(field: short, message: "is required")) }
                return nil
            }
            guard case .string(let text) = value else {
                problems.append(Problem(field: short, message: "must be a string"))
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
        let name = string("n", "name", required: true)
        let url = string("u", "url", required: true)
        let domain = string("d", "domain", required: true)
        let referrer = string("r", "referrer", required: false)
        var props: [(key: String, value: PropertyValue)] = []
        if let raw = member("p", "props") {
            if case .object(let members)? = object(raw) {
                props = members.map { ($0.key, property($0.value)) }
            } else {
                problems.append(Problem(field: "p", message: "must be an object of properties"))
            }
        }
        var revenue: (amount: PropertyValue, currency: String)?
        if let raw = member("$", "revenue") {
            if let map = object(raw), case .string(let currency)? = map["currency"], let amount = map["amount"] {
                revenue = (property(amount), currency)
            } else {
                problems.append(Problem(field: "$", message: "must be an object with amount and currency"))
            }
        }
        let hashMode = flag(member("h", "hashMode")) ?? false
        let interactive = flag(member("i", "interactive")) ?? true
        let privacySignal = flag(member("g", "privacySignal")) ?? false
        var width: Int?
        if let raw = member("w", "w") {
            if case .number(let number) = raw, abs(number) < 1e9 {
                width = Int(number)
            } else {
                problems.append(Problem(field: "w", message: "must be a number"))
            }
        }
        func number(_ key: String) -> Double? {
            guard let raw = member(key, key) else { return nil }
            if case .number(let value) = raw, value.isFinite { return value }
            problems.append(Problem(field: key, message: "must be a number"))
            return nil
        }
        let engaged = number("e")
        let scroll = number("sd")
        guard problems.isEmpty, let name, let url, let domain else { return .failure(problems) }
        var event = IncomingEvent(
            name: name, url: url, domain: domain, referrer: referrer, props: props, revenue: revenue,
            hashMode: hashMode, interactive: interactive, screenWidth: width, privacySignal: privacySignal)
        event.engagedMilliseconds = engaged
        event.scrollDepth = scroll
        return .event(event)
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
