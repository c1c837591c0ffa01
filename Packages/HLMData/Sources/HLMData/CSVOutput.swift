/// A frame to be written as CSV, with the columns that take 15 significant digits: written whole
/// (``bytes``) or a block at a time as it is formatted (``write(to:)``, for large outputs).
public struct CSVOutput: Sendable {
    public let frame: DataFrame
    public let fifteenDigits: Set<String>

    public init(_ frame: DataFrame, fifteenDigits: Set<String> = []) {
        (self.frame, self.fifteenDigits) = (frame, fifteenDigits)
    }

    public var bytes: [UInt8] { CSVWriter().bytes(frame, fifteenDigits: fifteenDigits) }

    /// ``CSVWriter/write(_:fifteenDigits:to:)``.
    public func write(to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        CSVWriter().write(frame, fifteenDigits: fifteenDigits, to: sink)
    }
}
