/// Free text; `nil` is missing.
public struct TextColumn: Sendable, Equatable {
    public var values: [String?]

    public init(values: [String?]) {
        self.values = values
    }
}
