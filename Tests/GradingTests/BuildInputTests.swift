// A worker builds every submission from one folder, written with `FileTree.sync`: only the files
// that differ are written, so the files a submission left as the stubs keep their dates and Swift's
// incremental build does not compile them again.
import Foundation
import Testing
@testable import GradingKit

@Suite("Build input: only changed files are written")
struct BuildInputTests {
    @Test("sync writes the files that differ, keeps the others' dates, removes what the source lacks")
    func sync() throws {
        let folder = try Fixtures.scratchFolder("sync")
        defer { try? FileManager.default.removeItem(at: folder) }
        let stubs = folder.appendingPathComponent("stubs"), student = folder.appendingPathComponent("student")
        let input = folder.appendingPathComponent("input")
        for (name, text) in [("01-A/ReLU.swift", "stub relu"), ("01-A/Sigmoid.swift", "stub sigmoid"), ("02-B/Dense.swift", "stub dense")] {
            try FileTree.write(text, to: stubs.appendingPathComponent(name))
            try FileTree.write(name.hasSuffix("ReLU.swift") ? "solved relu" : text, to: student.appendingPathComponent(name))
        }
        try FileTree.sync(stubs, into: input)
        try FileTree.write("left over", to: input.appendingPathComponent("01-A/Old.swift"))
        let past = Date(timeIntervalSince1970: 1_000_000_000)
        for name in ["01-A/ReLU.swift", "01-A/Sigmoid.swift", "02-B/Dense.swift"] {
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: input.appendingPathComponent(name).path)
        }
        try FileTree.sync(student, into: input)
        #expect(try FileTree.files(under: input) == ["01-A/ReLU.swift", "01-A/Sigmoid.swift", "02-B/Dense.swift"])
        #expect(try String(contentsOf: input.appendingPathComponent("01-A/ReLU.swift"), encoding: .utf8) == "solved relu")
        #expect(FileTree.modified(input.appendingPathComponent("01-A/ReLU.swift"))! > past, "the changed file is new")
        #expect(FileTree.modified(input.appendingPathComponent("01-A/Sigmoid.swift")) == past, "an unchanged stub keeps its date")
        #expect(FileTree.modified(input.appendingPathComponent("02-B/Dense.swift")) == past)
        #expect(FileTree.newestModification(in: [input])! > past)
    }
}
