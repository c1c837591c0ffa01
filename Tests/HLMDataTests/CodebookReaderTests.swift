import Foundation
import HLMData
import HLMTestSupport
import Testing

@Suite("Codebook reader")
struct CodebookReaderTests {
    private func read(_ xml: String) throws(DataError) -> Codebook {
        try CodebookReader().read(data: Data(xml.utf8), source: "book.xml")
    }

    @Test func gcseCodebook() throws {
        let book = try CodebookReader().read(path: Fixtures.path("gcse.xml"))
        #expect(book.variables.count == 10)
        #expect(book.title?.hasPrefix("GCSE and London Reading Test") == true)
        let schgend = try #require(book.variable(named: "schgend"))
        #expect(schgend.label == "School gender composition")
        #expect(schgend.interval == "discrete")
        #expect(schgend.formatType == .numeric)
        #expect(schgend.valueLabels.map(\.value) == ["1", "2", "3"])
        #expect(schgend.valueLabels.map(\.label) == ["mixed", "boys", "girls"])
        #expect(book.variable(named: "school")?.formatType == .character)
    }

    @Test("namespace variants read alike", arguments: [
        "xmlns=\"ddi:codebook:2_5\"", "", "xmlns=\"http://www.icpsr.umich.edu/DDI\"", "xmlns:ddi=\"ddi:codebook:2_5\"",
    ])
    func namespaces(_ namespace: String) throws {
        let prefix = namespace.hasPrefix("xmlns:ddi") ? "ddi:" : ""
        let xml = """
            <?xml version="1.0"?>
            <\(prefix)codeBook \(namespace)><\(prefix)dataDscr>
              <\(prefix)var name="sex"><\(prefix)labl>Sex</\(prefix)labl>
                <\(prefix)catgry><\(prefix)catValu>1</\(prefix)catValu><\(prefix)labl>male</\(prefix)labl></\(prefix)catgry>
              </\(prefix)var>
            </\(prefix)dataDscr></\(prefix)codeBook>
            """
        let book = try read(xml)
        #expect(book.variables.map(\.name) == ["sex"])
        #expect(book.variables.first?.label == "Sex")
        #expect(book.variables.first?.valueLabels == [CodebookCategory(value: "1", label: "male")])
    }

    @Test func lenientAboutLabelOrderAndZeroPaddedCodes() throws {
        let book = try read("""
            <codeBook><dataDscr><var name="g">
              <catgry><labl>second</labl><catValu>02</catValu></catgry>
              <catgry><labl>first</labl><catValu>01</catValu></catgry>
              <catgry missing="Y"><catValu>9</catValu><labl>refused</labl></catgry>
            </var></dataDscr></codeBook>
            """)
        let frame = try CSVReader(codebook: book).read(string: "g\n1\n2\n09\n2\n")
        guard case .categorical(let g) = try #require(frame.column(named: "g")).values else {
            Issue.record("g should be categorical")
            return
        }
        #expect(g.levels == ["first", "second"])
        #expect(g.codes == [0, 1, -1, 1])
    }

    @Test func missingValueCodesAndRanges() throws {
        let book = try read("""
            <codeBook><dataDscr>
              <var name="income"><varFormat type="numeric"/>
                <invalrng><item VALUE="-9"/><range min="-99" max="-90"/></invalrng>
              </var>
              <var name="age"><catgry missing="Y"><catValu>999</catValu></catgry></var>
              <var name="ghost"/>
            </dataDscr></codeBook>
            """)
        let frame = try CSVReader(codebook: book).read(string: "income,age\n100,30\n-9,999\n-95,40\n-89,41\n")
        guard case .numeric(let income) = try #require(frame.column(named: "income")).values,
              case .numeric(let age) = try #require(frame.column(named: "age")).values else {
            Issue.record("both should be numeric")
            return
        }
        #expect(income.isMissing == [false, true, true, false])
        #expect(income.values[3] == -89)
        #expect(age.isMissing == [false, true, false, false])
        #expect(frame.warnings.count == 1)
        #expect(frame.warnings.first?.contains("ghost") == true)
    }

    @Test func unlabelledValuesBecomeExtraLevels() throws {
        let book = try read("<codeBook><var name=\"c\"><catgry><catValu>1</catValu><labl>one</labl></catgry></var></codeBook>")
        let frame = try CSVReader(codebook: book).read(string: "c\n1\n7\n")
        guard case .categorical(let c) = try #require(frame.column(named: "c")).values else {
            Issue.record("c should be categorical")
            return
        }
        #expect(c.levels == ["one", "7"])
        #expect(c.codes == [0, 1])
    }

    @Test func entitiesAreRefused() {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
            <codeBook><var name="x"><labl>&lol2;</labl></var></codeBook>
            """
        #expect(throws: DataError.self) { try read(bomb) }
        do {
            _ = try read(bomb)
        } catch {
            #expect(error.description.hasPrefix("book.xml:2: the codebook's DTD declares entities"))
        }
        let external = """
            <?xml version="1.0"?>
            <!DOCTYPE codeBook [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <codeBook><var name="x"><labl>&secret;</labl></var></codeBook>
            """
        #expect(throws: DataError.self) { try read(external) }
    }

    @Test func malformedXMLNamesTheLine() {
        do {
            _ = try read("<codeBook>\n<var name=\"x\">\n<labl>oops</var>\n</codeBook>")
            Issue.record("expected an error")
        } catch {
            guard case .malformed(let location, let message, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(location.file == "book.xml")
            #expect(location.line == 3)
            #expect(message.hasPrefix("malformed XML"))
        }
    }

    @Test func variableWithoutNameIsAnError() {
        #expect(throws: DataError.self) { try read("<codeBook><var><labl>x</labl></var></codeBook>") }
    }
}
