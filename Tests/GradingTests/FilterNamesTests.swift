// `swift test --filter` as a student uses it (issue 17, point 1): an exercise ID grades exactly that
// exercise, a topic word only the exercises whose IDs carry it, and a filter that matches nothing is
// known to match nothing before the run starts. Swift Testing matches the regular expression
// anywhere in a test's ID, which holds the file name and the function name too (see TestNames).
import Foundation
import StudentCalls
import Testing

@Suite("--filter selects by exercise (test IDs carry no other exercise's words)")
struct FilterNamesTests {
    static let tests = Fixtures.packageRoot.appendingPathComponent("Tests")
    static let names = TestNames.declared(in: tests)

    /// Every exercise ID of the graded suites, and its topic word (the ID without its number).
    static var exerciseWords: Set<String> {
        let ids = Set(names.compactMap(\.exercise))
        return ids.union(ids.map { String($0.reversed().drop { $0.isNumber }.reversed()) })
    }

    /// The exercises a filter grades, and whether it also runs tests that are not graded.
    static func graded(by filter: String) throws -> (exercises: Set<String>, others: [String]) {
        let selected = try #require(TestNames.selected(by: [filter], among: names))
        return (Set(selected.compactMap(\.exercise)), selected.filter { $0.exercise == nil }.map(\.description))
    }

    @Test("the model of the test IDs read from the sources is the test binary's own list")
    func modelMatchesTheBinary() throws {
        // This process is the package's test binary; `--list-tests` prints every test's name.
        let binary = CommandLine.arguments[0]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--list-tests", "--testing-library", "swift-testing"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let listed = Set(String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
            .filter { $0.contains("/") || $0.contains("(") })
        try #require(listed.count > 400, "the test binary listed \(listed.count) tests")
        let modeled = Set(Self.names.filter { $0.function != nil }.map(\.name))
        #expect(modeled.subtracting(listed).sorted() == [], "modeled but not in the binary")
        #expect(listed.subtracting(modeled).sorted() == [], "in the binary but not modeled")
    }

    @Test("the model writes this very test's ID as Swift Testing does, location included")
    func modelWritesTheLocation() throws {
        let id = try #require(Test.current).id
        let modeled = Self.names.first { $0.name == "GradingTests.FilterNamesTests/modelWritesTheLocation()" }
        #expect(modeled?.description == String(describing: id))
    }

    @Test("no test ID carries another exercise's ID or topic word (file, suite or function name)")
    func noForeignWords() {
        var offenders: [String] = []
        for name in Self.names {
            let id = name.description
            for word in Self.exerciseWords where id.contains(word) && !(name.exercise ?? "").contains(word) {
                offenders.append("\(id) carries \(word)")
            }
        }
        #expect(offenders.sorted() == [], "rename the file or function so that `--filter WORD` does not run it")
    }

    @Test("an exercise ID grades exactly that exercise and runs nothing else",
          arguments: ["ReLU1", "Dense1", "Shapes1", "Conv2", "Step1", "Network1", "BatchNorm1", "Softmax1"])
    func exactID(_ id: String) throws {
        let (exercises, others) = try Self.graded(by: id)
        #expect(exercises == [id])
        #expect(others == [])
    }

    @Test("the README's filters grade what it says")
    func readmeExamples() throws {
        let readme = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("--filter \"ReLU|Sigmoid\""))
        #expect(try Self.graded(by: "ReLU|Sigmoid").exercises == ["ReLU1", "ReLU2", "Sigmoid1", "Sigmoid2", "SigmoidBCE1"])
        #expect(readme.contains("--filter \"Sigmoid[0-9]Tests\""))
        #expect(try Self.graded(by: "Sigmoid[0-9]Tests").exercises == ["Sigmoid1", "Sigmoid2"])
        // The chapter-00 warm-ups by their topic words (the filter a student tried in issue 17).
        let warmUps = try Self.graded(by: "Shapes|Broadcast|Matmul|Reduce|Slice|Random")
        #expect(warmUps.exercises == ["Shapes1", "Shapes2", "Broadcast1", "Broadcast2", "Matmul1", "Reduce1", "Reduce2", "Slice1", "Random1"])
        #expect(warmUps.others == [])
        #expect(try Self.graded(by: "ReLU").exercises == ["ReLU1", "ReLU2"])
    }

    @Test("a filter that matches no test is known as such; one aimed at the tools' tests is not graded")
    func unmatched() throws {
        #expect(try #require(TestNames.selected(by: ["relu1"], among: Self.names)).isEmpty)
        let tools = try Self.graded(by: "resetEveryRegion")
        #expect(tools.exercises.isEmpty && !tools.others.isEmpty)
        #expect(TestNames.selected(by: ["(unclosed"], among: Self.names) == nil)
        #expect(TestNames.filters(in: ["x", "--filter", "A", "--filter=B", "-q"]) == ["A", "B"])
    }

    @Test("the reader keeps nesting, labels and multi-line parameter lists, and skips strings and comments")
    func parser() {
        let source = """
            @Suite("A1 · a") struct A1Tests {
                let text = "{ @Test func fake() {"
                // @Test func commented() {}
                @Test("x", arguments: [1]) func one(_ x: Int) {}
                struct Inner {
                    @Test
                    func two(
                        value: Int, in other: [Int]
                    ) {}
                }
            }
            @Test func free() {}
            """ + "\nlet s = \"\"\"\n@Test func inString() {}\n\"\"\"\n"
        let names = TestNames.parse(source, target: "T", file: "F.swift").map(\.description)
        #expect(names == ["T.A1Tests", "T.A1Tests/one(_:)/F.swift:4:6", "T.A1Tests.Inner", "T.A1Tests.Inner/two(value:in:)/F.swift:6:10",
                          "T.free()/F.swift:12:2"])
    }
}
