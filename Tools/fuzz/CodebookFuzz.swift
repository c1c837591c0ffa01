// libFuzzer target: arbitrary bytes as a DDI codebook. Every input must end in a codebook or a
// DataError; a codebook that reads is then applied to a small CSV.
import Foundation
import HLMData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodebook(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let codebook = try? CodebookReader().read(data: data, source: "fuzz.xml") else { return 0 }
    let csv = "a,b,c\n1,x,01\n2,y,9\nNA,,-9\n"
    _ = try? CSVReader(codebook: codebook).read(string: csv)
    return 0
}
