import Foundation

/// How thorough a test run is, as lme4's `LME4_TEST_LEVEL`: `HLM_TEST_LEVEL=1` (default) runs the
/// suite CI runs in under a minute; `2` adds the slow suites (larger random inputs, bigger data).
public enum TestLevel {
    public static let current: Int = Int(ProcessInfo.processInfo.environment["HLM_TEST_LEVEL"] ?? "") ?? 1

    /// Whether the slow suites run.
    public static var thorough: Bool { current >= 2 }

    /// `fast` at level 1, `thorough` from level 2.
    public static func count(_ fast: Int, thorough: Int) -> Int { self.thorough ? thorough : fast }
}
