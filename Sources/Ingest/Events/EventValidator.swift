import Journal

/// Checks an event's name, properties and revenue against the documented limits; anything over a
/// limit is rejected with the field named, never truncated silently.
enum EventValidator {
    static let maxName = 120
    static let maxProps = 30
    static let maxKey = 300
    static let maxValue = 2000

    /// ISO 4217 currencies whose minor unit is not a hundredth.
    static let exponents: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0,
        "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3,
        "OMR": 3, "TND": 3,
    ]

    /// The numbers of an engagement report as its stored properties: whole seconds visible (`e`
    /// is milliseconds, 0 to a day) and the deepest scroll (`sd` in %, kept within 0–100; 0 when not sent).
    static func engagement(_ event: IncomingEvent) -> ([Property], [IngestError]) {
        guard let milliseconds = event.engagedMilliseconds, milliseconds >= 0, milliseconds <= 86_400_000 else {
            return (
                [],
                [
                    IngestError(
                        .invalidField,
                        "an engagement report needs the milliseconds the page was visible, 0 to 86400000",
                        field: "e")
                ]
            )
        }
        // Browsers round page heights their own way: a depth a little over 100 % is 100 %.
        let scroll = min(100, max(0, event.scrollDepth ?? 0))
        return (
            [
                Property(Hit.engagedProperty, String(Int((milliseconds / 1000).rounded()))),
                Property(Hit.scrollProperty, String(Int(scroll.rounded()))),
            ], []
        )
    }

    static func name(_ name: String) -> [IngestError] {
        if name.isEmpty { return [IngestError(.invalidField, "the event name is empty", field: "n")] }
        if name.count > maxName {
            return [
                IngestError(
                    .invalidField, "the event name has \(name.count) characters; at most \(maxName) are allowed",
                    field: "n")
            ]
        }
        return []
    }

    static func props(_ props: [(key: String, value: PropertyValue)]) -> ([Property], [IngestError]) {
        var errors: [IngestError] = []
        if props.count > maxProps {
            errors.append(
                IngestError(
                    .invalidField, "\(props.count) properties sent; at most \(maxProps) are allowed", field: "p"))
            return ([], errors)
        }
        var result: [Property] = []
        for (key, value) in props {
            if key.isEmpty || key.count > maxKey {
                errors.append(
                    IngestError(.invalidField, "a property key must have 1 to \(maxKey) characters", field: "p"))
                continue
            }
            let text: String
            switch value {
            case .string(let string):
                // An empty value says nothing, like null (as Plausible treats it): not stored.
                if string.isEmpty { continue }
                text = string
            case .number(let number):
                text = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            case .bool(let flag): text = flag ? "true" : "false"
            case .null: continue
            case .structured:
                errors.append(
                    IngestError(
                        .invalidField, "must be a string, number or boolean, not an array or object", field: "p.\(key)")
                )
                continue
            }
            if text.count > maxValue {
                errors.append(
                    IngestError(
                        .invalidField, "the value has \(text.count) characters; at most \(maxValue) are allowed",
                        field: "p.\(key)"))
                continue
            }
            result.append(Property(key, text))
        }
        return (result, errors)
    }

    static func revenue(_ revenue: (amount: PropertyValue, currency: String)?) -> (Revenue?, [IngestError]) {
        guard let revenue else { return (nil, []) }
        let currency = revenue.currency.uppercased()
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return (
                nil,
                [
                    IngestError(
                        .invalidField, "the currency must be a 3-letter ISO 4217 code such as EUR", field: "$.currency")
                ]
            )
        }
        let exponent = exponents[currency] ?? 2
        let minor: Int64?
        switch revenue.amount {
        case .number(let value):
            let scaled = (value * pow10(exponent)).rounded()
            minor = scaled.isFinite && abs(scaled) < 9e15 ? Int64(scaled) : nil
        case .string(let text): minor = parseDecimal(text, exponent: exponent)
        default: minor = nil
        }
        guard let minor else {
            return (nil, [IngestError(.invalidField, "the amount must be a number such as 19.99", field: "$.amount")])
        }
        return (Revenue(amount: minor, currency: currency), [])
    }

    static func pow10(_ n: Int) -> Double { [1, 10, 100, 1000][n] }

    /// `"19.99"` with exponent 2 → 1999; nil for anything that is not a plain decimal number.
    static func parseDecimal(_ text: String, exponent: Int) -> Int64? {
        var text = Substring(text.trimmingSpaces)
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text = text.dropFirst()
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 15,
            whole.allSatisfy({ $0.isASCII && $0.isNumber })
        else {
            return nil
        }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        fraction = String((fraction + String(repeating: "0", count: exponent)).prefix(exponent))
        guard let value = Int64(whole + fraction) else { return nil }
        return negative ? -value : value
    }
}
