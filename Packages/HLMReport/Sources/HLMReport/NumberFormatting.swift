#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number formats shared by the renderers.
public enum NumberFormatting {
    /// `x` with `significant` significant digits (as C's `%.*g`), without exponent for ordinary sizes.
    public static func significant(_ x: Double, _ significant: Int = 7) -> String {
        guard x.isFinite else { return x.isNaN ? "." : (x < 0 ? "-Inf" : "Inf") }
        return cFormat("%.\(significant)g", x)
    }

    /// `x` with a fixed number of decimals.
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "." : (x < 0 ? "-Inf" : "Inf") }
        return cFormat("%.\(decimals)f", x)
    }

    /// A p-value: four decimals, or "< 0.0001".
    public static func pValue(_ p: Double) -> String {
        p.isNaN ? "." : (p < 0.0001 ? "< 0.0001" : fixed(p, 4))
    }

    /// A confidence level as a percentage: 0.95 → "95%", 0.995 → "99.5%".
    public static func percent(_ level: Double) -> String {
        cFormat("%g", (level * 100 * 1e6).rounded() / 1e6) + "%"
    }

    private static func cFormat(_ format: String, _ x: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
