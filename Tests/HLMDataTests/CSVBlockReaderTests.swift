import Foundation
import HLMData
import HLMTestSupport
import Testing

/// Reading a CSV a block at a time: the blocks together are the file, rows and error lines numbered
/// as in the whole file, and a quoted newline never splits a record.
@Suite("CSV blocks")
struct CSVBlockReaderTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("blocks-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("small blocks give the file's rows, in order, numbered as in the file")
    func blocksAreTheFile() throws {
        var text = "y,name,g\n"
        for i in 0..<500 { text += "\(i),\"line \(i)\nwith a newline, and a comma\",\(i % 7)\n" }
        let path = try Self.write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try CSVReader().read(path: path)
        var reader = try CSVBlockReader(path: path, blockBytes: 1024)
        var ys: [Double] = [], dataRows: [Int] = [], blocks = 0
        while let block = try reader.next() {
            blocks += 1
            guard case .numeric(let y)? = block.column(named: "y")?.values else { Issue.record("y is not numeric"); return }
            ys += y.values
            dataRows += (0..<block.rowCount).map(block.dataRow)
        }
        #expect(blocks > 10)
        guard case .numeric(let y)? = whole.column(named: "y")?.values else { Issue.record("y is not numeric"); return }
        #expect(ys == y.values)
        #expect(dataRows == Array(1...500))
        #expect(reader.rowsRead == 500)
    }

    @Test("an error names the file's own line, not the block's")
    func errorLine() throws {
        var text = "y,x\n"
        for i in 0..<300 { text += "\(i),\(i * 2)\n" }
        text += "1,2,3\n"
        let path = try Self.write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reader = try CSVBlockReader(path: path, blockBytes: 1024)
        let error = try #require(throws: DataError.self) { while try reader.next() != nil {} }
        guard case .malformed(let location, _, _) = error else { Issue.record("\(error)"); return }
        #expect(location.line == 302)
        #expect(location.file == path)
    }
}
