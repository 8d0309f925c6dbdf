import Foundation
import Ingest

/// Decodes the body of `POST /api/event` in Plausible's shape (`n`/`name`, `u`/`url`,
/// `d`/`domain`, `r`/`referrer`, `p`/`props`, `h`/`hashMode`, `$`/`revenue`, `i`/`interactive`,
/// `w`), so that sites can keep the tracker they have.
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
    static func decode(_ body: Data) -> Outcome {
        guard let text = String(data: body, encoding: .utf8) else {
            return .failure([Problem(field: nil, message: "the body is not valid UTF-8")])
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            return .failure([Problem(field: nil, message: "the body is not valid JSON")])
        }
        guard let object = json as? [String: Any] else {
            return .failure([Problem(field: nil, message: "the body must be a JSON object, not \(kind(of: json))")])
        }
        var problems: [Problem] = []
        func string(_ short: String, _ long: String, required: Bool) -> String? {
            let value = object[short] ?? object[long]
            if value == nil || value is NSNull {
                if required { problems.append(Problem(field: short, message: "is required")) }
                return nil
            }
            guard let text = value as? String else {
                problems.append(Problem(field: short, message: "must be a string"))
                return nil
            }
            return text
        }
        let name = string("n", "name", required: true)
        let url = string("u", "url", required: true)
        let domain = string("d", "domain", required: true)
        let referrer = string("r", "referrer", required: false)
        var props: [(key: String, value: PropertyValue)] = []
        if let raw = object["p"] ?? object["props"], !(raw is NSNull) {
            // The tracker may send props as an object or as a JSON string of one.
            let parsed = (raw as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? raw
            if let map = parsed as? [String: Any] {
                props = map.keys.sorted().map { ($0, value(map[$0]!)) }
            } else {
                problems.append(Problem(field: "p", message: "must be an object of properties"))
            }
        }
        var revenue: (amount: PropertyValue, currency: String)?
        if let raw = object["$"] ?? object["revenue"], !(raw is NSNull) {
            let parsed = (raw as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? raw
            if let map = parsed as? [String: Any], let currency = map["currency"] as? String, let amount = map["amount"]
            {
                revenue = (value(amount), currency)
            } else {
                problems.append(Problem(field: "$", message: "must be an object with amount and currency"))
            }
        }
        let hashMode = flag(object["h"] ?? object["hashMode"]) ?? false
        let interactive = flag(object["i"] ?? object["interactive"]) ?? true
        var width: Int?
        if let raw = object["w"], !(raw is NSNull) {
            if type(of: raw) != Bool.self, let number = raw as? NSNumber, number.doubleValue.isFinite,
                abs(number.doubleValue) < 1e9
            {
                width = number.intValue
            } else {
                problems.append(Problem(field: "w", message: "must be a number"))
            }
        }
        guard problems.isEmpty, let name, let url, let domain else { return .failure(problems) }
        return .event(
            IncomingEvent(
                name: name, url: url, domain: domain, referrer: referrer, props: props, revenue: revenue,
                hashMode: hashMode, interactive: interactive, screenWidth: width))
    }

    private static func value(_ raw: Any) -> PropertyValue {
        switch raw {
        case is NSNull: return .null
        case let text as String: return .string(text)
        case let flag as Bool where type(of: raw) == Bool.self: return .bool(flag)
        case let number as NSNumber: return .number(number.doubleValue)
        default: return .structured
        }
    }

    private static func flag(_ raw: Any?) -> Bool? {
        switch raw {
        case let flag as Bool: return flag
        case let number as NSNumber: return number.intValue != 0
        default: return nil
        }
    }

    private static func kind(of json: Any) -> String {
        switch json {
        case is [Any]: "an array"
        case is String: "a string"
        case is NSNumber: "a number"
        default: "null"
        }
    }
}
