/// xoshiro256** seeded through SplitMix64: a fast, deterministic generator, so that the same seed
/// gives the same synthetic traffic on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator from a seed and any number of stream ids (site, day…), each mixed in.
    public init(seed: UInt64, streams: UInt64...) {
        var x = seed
        for stream in streams { x = Self.splitMix(&x) ^ stream &* 0x9E37_79B9_7F4A_7C15 }
        s0 = Self.splitMix(&x)
        s1 = Self.splitMix(&x)
        s2 = Self.splitMix(&x)
        s3 = Self.splitMix(&x)
    }

    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform double in [0, 1).
    @inline(__always)
    public mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
}

/// Draws from a fixed discrete distribution in O(log n) by binary search over cumulative weights.
struct WeightedChoice<Element: Sendable>: Sendable {
    let elements: [Element]
    private let cumulative: [Double]

    init(_ weighted: [(Element, Double)]) {
        elements = weighted.map(\.0)
        var total = 0.0
        cumulative = weighted.map {
            total += $0.1
            return total
        }
    }

    /// Zipf-distributed choice over `elements`: the k-th (1-based) has weight 1 / k^exponent.
    init(zipf elements: [Element], exponent: Double) {
        self.init(elements.enumerated().map { ($0.element, 1.0 / pow(Double($0.offset + 1), exponent)) })
    }

    func pick(_ random: inout SeededRandom) -> Element {
        let target = random.unit() * cumulative[cumulative.count - 1]
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] <= target { low = mid + 1 } else { high = mid }
        }
        return elements[low]
    }
}

@inline(__always)
private func pow(_ base: Double, _ exponent: Double) -> Double {
    // exp(exponent * ln(base)) without Foundation.
    guard base > 0 else { return 0 }
    return exp(exponent * log(base))
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
