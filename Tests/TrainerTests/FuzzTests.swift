import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

// A seeded, bounded fuzz test of the trainer's inputs (issue 12). It mutates valid CSV, IDX and
// checkpoint files (bit flips, truncation, huge and negative numbers, wrong counts, edited
// metadata with the checksum recomputed) and flag values, and asserts that every case ends in
// success or in the workbook's own error (DataFileError, TrainerError, UsageError) whose short
// message names the input — never a trap, a hang or an unrelated error.
//
// Part one runs the library entry points in a child process (an exit test), so a trap fails the
// test instead of ending the runner; part two runs the trainer executable on random command
// lines. Same seed, same cases: a failure names its case number to replay.

/// The seed of the whole fuzz run (`TRAINER_FUZZ_SEED` overrides it, to explore further).
let fuzzSeed = UInt64(ProcessInfo.processInfo.environment["TRAINER_FUZZ_SEED"] ?? "") ?? 2026

enum Fuzz {
    static let extremes = ["0", "-1", "1", "9223372036854775807", "-9223372036854775808", "99999999999999999999", "1e308", "-1e308",
                           "1e9", "1000", "1000000", "nan", "inf", "-inf", "1.5", "", " ", "x", "\u{0}", "4294967295", "65537", "13"]

    static func pick<T>(_ items: [T], _ rng: inout SeededGenerator) -> T { items[Int(rng.next() % UInt64(items.count))] }
    static func below(_ n: Int, _ rng: inout SeededGenerator) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }

    /// One to three edits of `text`: a character replaced by an extreme value, a range deleted,
    /// a line duplicated or dropped, a truncation.
    static func mutate(_ text: String, _ rng: inout SeededGenerator) -> String {
        var characters = Array(text)
        for _ in 0..<(1 + below(3, &rng)) {
            guard !characters.isEmpty else { break }
            let at = below(characters.count, &rng)
            switch below(6, &rng) {
            case 0: characters.replaceSubrange(at...at, with: Array(pick(extremes + [",", "\n", "\r\n", "-", "e"], &rng)))
            case 1: characters.removeSubrange(at..<min(characters.count, at + 1 + below(8, &rng)))
            case 2: characters = Array(characters.prefix(at))
            case 3:
                let lines = String(characters).split(separator: "\n", omittingEmptySubsequences: false)
                let line = below(lines.count, &rng)
                characters = Array((lines[..<line] + [lines[line]] + lines[line...]).joined(separator: "\n"))
            case 4: characters.insert(contentsOf: Array("," + pick(extremes, &rng)), at: at)
            default:
                let lines = String(characters).split(separator: "\n", omittingEmptySubsequences: false)
                characters = Array(lines.enumerated().filter { $0.offset != below(lines.count, &rng) }.map(\.element).joined(separator: "\n"))
            }
        }
        return String(characters)
    }

    /// One to three edits of binary data: a bit flipped, a truncation, a 4- or 8-byte word
    /// overwritten with an extreme value (big-endian for IDX headers, little-endian otherwise).
    static func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator, bigEndian: Bool) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<(1 + below(3, &rng)) {
            guard !bytes.isEmpty else { break }
            // Headers are where sizes live: aim there half the time.
            let at = rng.next() % 2 == 0 ? below(min(bytes.count, 28), &rng) : below(bytes.count, &rng)
            switch below(4, &rng) {
            case 0: bytes[at] ^= UInt8(1) << UInt8(below(8, &rng))
            case 1: bytes = Array(bytes.prefix(at))
            default:
                let width = bigEndian ? 4 : 8
                let value = pick([0, 1, UInt64(UInt32.max), UInt64(Int32.max), 4096, 4097, UInt64.max, UInt64(Int64.max), rng.next()], &rng)
                for k in 0..<width where at + k < bytes.count {
                    let shift = bigEndian ? 8 * (width - 1 - k) : 8 * k
                    bytes[at + k] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
                }
            }
        }
        return bytes
    }

    /// Replaces one number of a checkpoint's JSON metadata by an extreme value and recomputes the
    /// length and checksum, so only the field-by-field validation can catch it.
    static func editMetadata(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        let length = Int(bytes[12..<20].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        var json = String(decoding: bytes[20..<(20 + length)], as: UTF8.self)
        let numbers = json.ranges(of: /-?[0-9][0-9.e+-]*/)
        if !numbers.isEmpty {
            let range = numbers[below(numbers.count, &rng)]
            json.replaceSubrange(range, with: pick(["0", "-1", "2", "9223372036854775807", "-9223372036854775808", "1e308", "99999999999999999999",
                                                    "1000", "1000000", "0.5", "null", "\"x\"", "[]", "[[1]]"], &rng))
        }
        let metadata = Array(json.utf8)
        return withChecksum(Array(bytes[0..<12]) + littleEndian(UInt64(metadata.count)) + metadata + Array(bytes[(20 + length)..<(bytes.count - 8)]))
    }

    /// Whether `error` is the workbook's own, with a short message naming `input`.
    static func acceptable(_ error: any Error, naming input: String) -> String? {
        let message: String
        switch error {
        case let error as DataFileError: message = error.description
        case let error as TrainerError: message = error.message
        case let error as UsageError: message = error.message
        default: return "an error of type \(type(of: error)), not the workbook's: \(excerpt("\(error)", limit: 200))"
        }
        if message.count > 600 { return "a message of \(message.count) characters" }
        if !message.contains(input) { return "a message that does not name '\(input)': \(message)" }
        return nil
    }

    static func be(_ x: UInt32) -> [UInt8] { [UInt8(x >> 24), UInt8(x >> 16 & 255), UInt8(x >> 8 & 255), UInt8(x & 255)] }

    /// 40 valid 4x4 IDX images and their labels (two classes).
    static func idxPair() -> (images: [UInt8], labels: [UInt8]) {
        var rng = SeededGenerator(seed: 3)
        var images = be(0x803) + be(40) + be(4) + be(4), labels = be(0x801) + be(40)
        for i in 0..<40 {
            labels.append(UInt8(i % 2))
            for _ in 0..<16 { images.append(UInt8(rng.next() % 256)) }
        }
        return (images, labels)
    }

    static let csv = "label,a,b,c\n0,1,2,3\n1,4,5,6\n2,7,8,9\n0,1.5,2.5,3.5\n1,-4,0.5,6e2\n2,7,8,-9\n"

    /// Part one: the library entry points on mutated inputs. Writes one line per bad case to
    /// standard error and returns the number of cases tried and of bad ones.
    static func libraryCases(seed: UInt64) throws -> (tried: Int, bad: Int) {
        var rng = SeededGenerator(seed: seed)
        var tried = 0, bad = 0
        func record(_ kind: String, _ index: Int, _ input: String, _ body: () throws -> Void) {
            tried += 1
            do { try body() } catch {
                if let problem = acceptable(error, naming: input) {
                    bad += 1
                    FileHandle.standardError.write(Data("fuzz \(kind) case \(index) (seed \(seed)): \(problem)\n".utf8))
                }
            }
        }
        for index in 0..<2000 {
            let name = "fuzz-\(index).csv"
            let text = mutate(csv, &rng)
            record("csv", index, name) { _ = try DataLoader.csv(text: text, name: name) }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-fuzz-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (images, labels) = idxPair()
        for index in 0..<500 {
            let imagesPath = dir + "/images-\(index).idx", labelsPath = dir + "/labels-\(index).idx"
            let mutateImages = rng.next() % 3 != 0
            try Data(mutateImages ? mutate(images, &rng, bigEndian: true) : images).write(to: URL(fileURLWithPath: imagesPath))
            try Data(mutateImages && rng.next() % 2 == 0 ? labels : mutate(labels, &rng, bigEndian: true)).write(to: URL(fileURLWithPath: labelsPath))
            // The error names whichever file is wrong: accept either name.
            tried += 1
            do { _ = try DataLoader.idx(images: imagesPath, labels: labelsPath) } catch {
                if acceptable(error, naming: imagesPath) != nil, let problem = acceptable(error, naming: labelsPath) {
                    bad += 1
                    FileHandle.standardError.write(Data("fuzz idx case \(index) (seed \(seed)): \(problem)\n".utf8))
                }
            }
        }
        let checkpoint = [UInt8](try CheckpointTests.sample().encoded())
        for index in 0..<2000 {
            let name = "fuzz-\(index).ckpt"
            var bytes: [UInt8]
            switch rng.next() % 3 {
            case 0: bytes = editMetadata(checkpoint, &rng)
            case 1: bytes = withChecksum(Array(mutate(checkpoint, &rng, bigEndian: false).dropLast(8)))
            default: bytes = mutate(checkpoint, &rng, bigEndian: false)
            }
            record("checkpoint", index, name) {
                let loaded = try Checkpoint.decode(bytes, name: name)
                // What decodes must be usable: the network's shapes agree with its architecture.
                guard case .success = loaded.architecture.activationSizes() else { throw TrainerError("decoded an inconsistent architecture") }
            }
        }
        let pools: [String: [String]] = [
            "model": ["mlp", "cnn", "notes", "resnet", "transformer", ""], "hidden": ["4", "4,4", "0", "-2", "1e9", "9223372036854775807", "65537", "8,", ",", "a"],
            "batch-size": ["1", "64", "0", "65537", "-1", "9223372036854775807"], "epochs": ["1", "0", "1000001", "x"],
            "learning-rate": ["0.1", "0", "-1", "1e6", "1e7", "nan", "inf"], "keep": ["0", "0.5", "1", "1.5", "-0"],
            "validation": ["0", "0.5", "0.9", "0.95", "-0.1"], "test": ["0", "0.5", "0.9"], "channels": ["1", "1024", "1025", "0"],
            "conv-layers": ["1", "12", "13", "40"], "blocks": ["0", "256", "257"], "seed": ["0", "1", "-1", "18446744073709551615"],
            "momentum": ["0.9", "2", "-1"], "lr-decay": ["1", "0", "2"], "patience": ["0", "5", "-1", "1000001"],
            "activation": ["relu", "elu", "swish"], "batch-norm": ["none", "before", "sideways"], "init": ["he", "zeros"], "optimizer": ["sgd", "adam", "lbfgs"],
        ]
        for index in 0..<1500 {
            var arguments: [String] = []
            for _ in 0..<(1 + below(5, &rng)) {
                let key = pick(pools.keys.sorted(), &rng)
                arguments += ["--\(key)", rng.next() % 4 == 0 ? pick(extremes, &rng) : pick(pools[key]!, &rng)]
            }
            tried += 1
            do {
                let options = try Trainer.trainCommand.parse(arguments)
                let configuration = try Trainer.trainingConfiguration(options)
                // The model must be estimable without overflow or a trap (the CNN's stages are
                // checked against the image first, in the session).
                if configuration.model != "cnn", let architecture = try? ModelFactory.architecture(
                    model: configuration.model, inputFeatures: 64, classes: 2, hidden: configuration.hidden, batchNorm: configuration.batchNorm,
                    keepProbability: configuration.keepProbability, imageShape: [8, 8, 1], channels: configuration.channels,
                    convLayers: configuration.convLayers, blocks: configuration.blocks) {
                    try MemoryBudget.check(architecture, configuration: configuration)
                }
            } catch let error as UsageError {
                if !error.message.contains("--") || error.message.count > 600 {
                    bad += 1
                    FileHandle.standardError.write(Data("fuzz flags case \(index) (seed \(seed)): \(error.message)\n".utf8))
                }
            } catch {
                bad += 1
                FileHandle.standardError.write(Data("fuzz flags case \(index) (seed \(seed)): \(type(of: error)): \(error)\n".utf8))
            }
        }
        return (tried, bad)
    }
}

/// Sends this process's standard error to `path`: the parent reads the file, whatever way the
/// child ends (a trap or a watchdog's SIGALRM included).
func redirectStandardError(to path: String) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if descriptor >= 0 { dup2(descriptor, STDERR_FILENO) }
}

/// What a fuzz child wrote: its summary line, or the case it was in when it died, and its bad cases.
func fuzzReport(_ path: String) -> (summary: String, log: String) {
    let log = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    let lines = log.split(separator: "\n")
    if let summary = lines.last(where: { $0.hasPrefix("fuzz: ") }) { return (String(summary), log) }
    return ("fuzz: no summary; the child died in: " + (lines.last(where: { $0.hasPrefix("case ") }).map(String.init) ?? "its set-up"), log)
}

@Suite("fuzzing the trainer's inputs", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct FuzzTests {
    @Test("mutated CSV, IDX and checkpoint files and flag values end in success or the workbook's own error naming the input (child process)")
    func libraryEntryPoints() async throws {
        let log = try temporaryDirectory() + "/fuzz.log"
        await #expect(processExitsWith: .success) { [log = log as String] in
            redirectStandardError(to: log)
            do {
                let (tried, bad) = try Fuzz.libraryCases(seed: fuzzSeed)
                FileHandle.standardError.write(Data("fuzz: \(tried) library cases, \(bad) bad\n".utf8))
                exit(bad == 0 ? EXIT_SUCCESS : EXIT_FAILURE)
            } catch {
                FileHandle.standardError.write(Data("fuzz: the test itself failed to prepare a case: \(error)\n".utf8))
                exit(EXIT_FAILURE)
            }
        }
        let (summary, text) = fuzzReport(log)
        print(summary)
        #expect(summary.hasSuffix(", 0 bad"), "\(text.suffix(4000))")
    }

    @Test("random command lines on mutated files: the trainer exits 0, 1, 64 or 74 with a short message naming the input, never traps or hangs (child process)")
    func commandLines() async throws {
        let dir = try temporaryDirectory()
        // A real checkpoint when the layers are implemented, else the hand-made sample.
        let base = dir + "/base.ckpt"
        if try layersImplemented(), runTrainer(["train", "--data", "xor", "--hidden", "4", "--epochs", "1", "--out", dir + "/base"]).code == 0 {
            try FileManager.default.copyItem(atPath: dir + "/base/model.ckpt", toPath: base)
        } else {
            try CheckpointTests.sample().write(to: base)
        }
        let log = dir + "/fuzz.log"
        await #expect(processExitsWith: .success) { [dir = dir as String, base = base as String, log = log as String] in
            redirectStandardError(to: log)
            do {
                let (tried, bad, outcomes) = try Fuzz.commandLineCases(dir: dir, base: base, seed: fuzzSeed &+ 1)
                FileHandle.standardError.write(Data("fuzz: \(tried) command lines, \(bad) bad; exit codes: \(outcomes.sorted { $0.key < $1.key })\n".utf8))
                exit(bad == 0 ? EXIT_SUCCESS : EXIT_FAILURE)
            } catch {
                FileHandle.standardError.write(Data("fuzz: the test itself failed to prepare a case: \(error)\n".utf8))
                exit(EXIT_FAILURE)
            }
        }
        let (summary, text) = fuzzReport(log)
        print(summary)
        let bad = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { $0.element.hasPrefix("BAD ") }
        #expect(summary.contains(", 0 bad;"), "\(summary)\n\(bad.prefix(5).map { String($0.element) }.joined(separator: "\n"))\n\(text.suffix(3000))")
    }
}

extension Fuzz {
    /// Part two: random command lines of `Trainer.main`'s entry point on mutated files, each run
    /// in this process (the caller is a child process), with a 60-second watchdog per case.
    /// Writes `case N: …` before each case and one line per bad case to standard error.
    static func commandLineCases(dir: String, base: String, seed: UInt64) throws -> (tried: Int, bad: Int, outcomes: [Int32: Int]) {
        var rng = SeededGenerator(seed: seed)
        var bad = 0
        let checkpointBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: base)))
        let (images, labels) = Fuzz.idxPair()
        try Data(images).write(to: URL(fileURLWithPath: dir + "/images.idx"))
        try Data(labels).write(to: URL(fileURLWithPath: dir + "/labels.idx"))
        try Fuzz.csv.write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
        var tried = 0
        var outcomes: [Int32: Int] = [:]
        for index in 0..<1000 {
            let caseDir = dir + "/case-\(index)"
            try FileManager.default.createDirectory(atPath: caseDir, withIntermediateDirectories: true)
            var files: [String] = []
            func dataArguments() throws -> [String] {
                switch Fuzz.below(6, &rng) {
                case 0:
                    let path = caseDir + "/data.csv"
                    try Fuzz.mutate(Fuzz.csv, &rng).write(toFile: path, atomically: true, encoding: .utf8)
                    files.append(path)
                    return ["--data", path]
                case 1:
                    let imagesPath = caseDir + "/images.idx", labelsPath = caseDir + "/labels.idx"
                    try Data(Fuzz.mutate(images, &rng, bigEndian: true)).write(to: URL(fileURLWithPath: imagesPath))
                    try Data(rng.next() % 2 == 0 ? labels : Fuzz.mutate(labels, &rng, bigEndian: true)).write(to: URL(fileURLWithPath: labelsPath))
                    files += [imagesPath, labelsPath]
                    return ["--data", imagesPath, "--labels", labelsPath]
                case 2: return ["--data", dir + "/images.idx", "--labels", dir + "/labels.idx"]
                case 3: return ["--data", Fuzz.pick(["xor", "moons", "spiral", "blobs"], &rng)]
                case 4: return ["--data", Fuzz.pick([dir + "/data.csv", dir, dir + "/missing.csv", base, "/dev/null"], &rng)]
                default: return ["--data", Fuzz.pick(Fuzz.extremes, &rng)]
                }
            }
            var arguments: [String]
            switch Fuzz.below(5, &rng) {
            case 0, 1:
                // Cheap models only: the values that would be slow (huge widths) are beyond the limits.
                arguments = ["train"] + (try dataArguments()) + ["--out", Fuzz.pick([caseDir + "/run", caseDir, dir + "/data.csv", "/dev/null/x"], &rng),
                                                                 "--epochs", Fuzz.pick(["1", "2", "0", "-1", "1000001", "99999999999999999999"], &rng),
                                                                 "--hidden", Fuzz.pick(["3", "4,2", "0", "65537", "1e9", "9223372036854775807", ""], &rng)]
                for _ in 0..<Fuzz.below(4, &rng) {
                    arguments += Fuzz.pick([["--model", Fuzz.pick(["mlp", "cnn", "notes", "resnet", "x"], &rng)],
                                            ["--batch-size", Fuzz.pick(["1", "7", "0", "65536", "65537", "9223372036854775807"], &rng)],
                                            ["--learning-rate", Fuzz.pick(["0.1", "1e6", "0", "-1", "nan"], &rng)],
                                            ["--channels", Fuzz.pick(["1", "2", "0", "1025"], &rng)],
                                            ["--conv-layers", Fuzz.pick(["1", "2", "3", "13", "40"], &rng)],
                                            ["--blocks", Fuzz.pick(["0", "1", "257"], &rng)],
                                            ["--validation", Fuzz.pick(["0", "0.5", "0.9", "2"], &rng)],
                                            ["--keep", Fuzz.pick(["0.5", "0", "1.5"], &rng)],
                                            ["--seed", Fuzz.pick(["0", "7", "-3", "18446744073709551616"], &rng)],
                                            ["--overwrite"], ["--no-timing"], ["--stop-after", Fuzz.pick(["1", "0", "5"], &rng)]], &rng)
                }
            default:
                let path = caseDir + "/model.ckpt"
                let mutated: [UInt8] = switch rng.next() % 3 {
                case 0: Fuzz.editMetadata(checkpointBytes, &rng)
                case 1: withChecksum(Array(Fuzz.mutate(checkpointBytes, &rng, bigEndian: false).dropLast(8)))
                default: rng.next() % 2 == 0 ? checkpointBytes : Fuzz.mutate(checkpointBytes, &rng, bigEndian: false)
                }
                try Data(mutated).write(to: URL(fileURLWithPath: path))
                files.append(path)
                switch Fuzz.below(3, &rng) {
                case 0: arguments = ["evaluate", "--checkpoint", path] + (rng.next() % 2 == 0 ? try dataArguments() : ["--split", Fuzz.pick(["train", "test", "validation", "x"], &rng)])
                case 1: arguments = ["predict", "--checkpoint", path] + (try dataArguments())
                    + (rng.next() % 2 == 0 ? ["--output", Fuzz.pick([caseDir + "/p.csv", path, dir + "/data.csv", caseDir], &rng)] : [])
                default: arguments = ["resume", "--checkpoint", path, "--epochs", Fuzz.pick(["1", "2", "3", "0", "x"], &rng), "--no-timing"]
                }
            }
            tried += 1
            let replay = "case \(index) (seed \(seed)): trainer \(arguments.map { $0.count > 60 ? String($0.prefix(60)) + "…" : $0 }.joined(separator: " "))"
            FileHandle.standardError.write(Data((replay + "\n").utf8))
            alarm(60)  // a hang ends the child with SIGALRM, right after the case that hung
            let result = runTrainer(arguments)
            alarm(0)
            outcomes[result.code, default: 0] += 1
            var problems: [String] = []
            if ![0, 1, 64, 74].contains(result.code) { problems.append("exit \(result.code)") }
            let errors = result.err.split(separator: "\n").filter { $0.hasPrefix("Error:") || $0.hasPrefix("Stopped:") }
            if result.code != 0 {
                if errors.isEmpty { problems.append("no message") }
                if result.err.count >= 2000 { problems.append("a message of \(result.err.count) characters") }
                // The message names the option or the file it is about (a path, or an option '--x').
                let message = errors.joined(separator: "\n")
                let named = message.contains("--") || files.contains { message.contains($0) }
                    || arguments.contains { $0.contains("/") && message.contains($0) } || message.contains("not done yet")
                if !named { problems.append("names neither an option nor a file") }
            }
            if !problems.isEmpty {
                bad += 1
                FileHandle.standardError.write(Data("BAD \(replay): \(problems.joined(separator: ", "))\n\(result.err.suffix(800))\n".utf8))
            }
        }
        return (tried, bad, outcomes)
    }
}

/// How many cases the issue-18 fuzz classes run: a few hundred by default (seconds), four times as
/// many in CI's full run (`WORKBOOK_E2E=1`, the step that runs every test).
let fuzzScale = ProcessInfo.processInfo.environment["WORKBOOK_E2E"] == "1" ? 4 : 1

extension Fuzz {
    /// A safetensors header edited as text: a number replaced by an extreme one (fractions, values
    /// beyond 64 bits, sizes that overflow), an entry duplicated (a name given twice), or the text
    /// mutated as the CSV is. The header length is recomputed, so only the parser can catch it.
    static func editHeader(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        let length = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        var json = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        switch below(4, &rng) {
        case 0, 1:
            let numbers = json.ranges(of: /-?[0-9][0-9.eE+-]*/)
            if !numbers.isEmpty {
                json.replaceSubrange(numbers[below(numbers.count, &rng)], with: pick([
                    "0", "-1", "64.9", "1e20", "18446744073709551621", "4294967296", "2305843009213693952", "9223372036854775807",
                    "3037000500", "1.0", "08", "[]", "\"8\"", "null", "{}", "true"], &rng))
            }
        case 2:
            // Duplicate one tensor's entry, identical or with its offsets changed.
            let entries = json.ranges(of: /"[a-z0-9_.]+":\{"dtype":"F(32|64)","shape":\[[0-9,]*\],"data_offsets":\[[0-9]+,[0-9]+\]\}/)
            if !entries.isEmpty {
                let entry = String(json[entries[below(entries.count, &rng)]])
                let copy = rng.next() % 2 == 0 ? entry : entry.replacing(/\[[0-9]+,/, with: "[0,")
                json.insert(contentsOf: copy + ",", at: json.index(after: json.startIndex))
            }
        default:
            json = mutate(json, &rng)
        }
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        return littleEndian(UInt64(header.count)) + header + Array(bytes[(8 + length)...])
    }

    /// Issue 18's classes: mutated safetensors headers through decode and import (never a trap; what
    /// imports must load as a checkpoint), and writing commands on colliding paths, some while
    /// another writer holds the checkpoint (inputs never change; an existing file changes only with
    /// --overwrite; a refusal leaves nothing behind). Writes `case …` lines and bad cases to standard error.
    static func writerCases(dir: String, seed: UInt64, scale: Int) throws -> (tried: Int, bad: Int) {
        var rng = SeededGenerator(seed: seed)
        var tried = 0, bad = 0
        func report(_ line: String) {
            bad += 1
            FileHandle.standardError.write(Data("BAD \(line)\n".utf8))
        }
        let exported = [UInt8](try CheckpointTests.sample().safeTensors().encoded())
        for index in 0..<(300 * scale) {
            let name = "fuzz-\(index).safetensors"
            let bytes = editHeader(exported, &rng)
            tried += 1
            FileHandle.standardError.write(Data("case header \(index)\n".utf8))
            do {
                let checkpoint = try Checkpoint(importing: try SafeTensorsFile.decode(bytes, name: name), name: name)
                // The promise of import: what it writes, loading accepts.
                _ = try Checkpoint.decode([UInt8](try checkpoint.encoded()), name: name + ".ckpt")
            } catch {
                if let problem = acceptable(error, naming: name) { report("header case \(index) (seed \(seed)): \(problem)") }
            }
        }
        for index in 0..<(40 * scale) {
            let caseDir = dir + "/writer-\(index)"
            try FileManager.default.createDirectory(atPath: caseDir, withIntermediateDirectories: true)
            let checkpoint = caseDir + "/model.ckpt", weights = caseDir + "/w.safetensors", data = caseDir + "/data.csv", other = caseDir + "/other.csv"
            try CheckpointTests.sample().write(to: checkpoint)
            try Data(exported).write(to: URL(fileURLWithPath: weights))
            try ("label,a,b\n" + (0..<40).map { "\($0 % 3),\($0),\(40 - $0)" }.joined(separator: "\n") + "\n")
                .write(toFile: data, atomically: true, encoding: .utf8)
            try "someone else's file\n".write(toFile: other, atomically: true, encoding: .utf8)
            let output = pick([checkpoint, weights, data, other, caseDir, caseDir + "/new.out", caseDir + "/sub/dir/new.out"], &rng)
            let overwrite = rng.next() % 2 == 0 ? ["--overwrite"] : []
            var arguments: [String]
            var inputs: [String]
            switch below(4, &rng) {
            case 0: (arguments, inputs) = (["export", "--checkpoint", checkpoint, "--output", output], [checkpoint])
            case 1: (arguments, inputs) = (["import", "--input", weights, "--output", output], [weights])
            case 2: (arguments, inputs) = (["predict", "--checkpoint", checkpoint, "--data", data, "--output", output], [checkpoint, data])
            default: (arguments, inputs) = (["visualize", "--checkpoint", checkpoint, "--out", output], [checkpoint])
            }
            arguments += overwrite
            let locked = rng.next() % 4 == 0
            let before = Dictionary(uniqueKeysWithValues: [checkpoint, weights, data, other].map { ($0, fileBytes($0)) })
            let listing = Set(FileManager.default.subpaths(atPath: caseDir) ?? [])
            tried += 1
            let replay = "writer case \(index) (seed \(seed))\(locked ? " with model.ckpt locked" : ""): trainer \(arguments.joined(separator: " "))"
            FileHandle.standardError.write(Data("case \(replay)\n".utf8))
            let lock = locked ? try CheckpointLock.acquire(checkpoint, option: "fuzz") : nil
            let result = runTrainer(arguments)
            lock?.release()
            var problems: [String] = []
            if ![0, 1, 64].contains(result.code) { problems.append("exit \(result.code)") }
            for input in inputs where fileBytes(input) != before[input]! { problems.append("changed its input \(input)") }
            for (path, bytes) in before where !inputs.contains(path) && fileBytes(path) != bytes {
                if overwrite.isEmpty || result.code != 0 { problems.append("changed \(path) without --overwrite and success") }
                if locked && path == checkpoint { problems.append("wrote the checkpoint another writer holds") }
            }
            if result.code != 0 {
                let now = Set(FileManager.default.subpaths(atPath: caseDir) ?? [])
                if now != listing { problems.append("a refusal left \(now.subtracting(listing).sorted())") }
                if !result.err.contains("Error:") { problems.append("no message") }
            }
            if !problems.isEmpty { report("\(replay): \(problems.joined(separator: ", "))\n\(result.err.suffix(600))") }
        }
        return (tried, bad)
    }
}

extension FuzzTests {
    @Test("issue 18's classes: mutated safetensors headers, writing commands on colliding paths, a second writer (child process)")
    func writersAndHeaders() async throws {
        let dir = try temporaryDirectory()
        let log = dir + "/fuzz.log"
        await #expect(processExitsWith: .success) { [dir = dir as String, log = log as String] in
            redirectStandardError(to: log)
            do {
                let (tried, bad) = try Fuzz.writerCases(dir: dir, seed: fuzzSeed &+ 2, scale: fuzzScale)
                FileHandle.standardError.write(Data("fuzz: \(tried) header and writer cases, \(bad) bad\n".utf8))
                exit(bad == 0 ? EXIT_SUCCESS : EXIT_FAILURE)
            } catch {
                FileHandle.standardError.write(Data("fuzz: the test itself failed to prepare a case: \(error)\n".utf8))
                exit(EXIT_FAILURE)
            }
        }
        let (summary, text) = fuzzReport(log)
        print(summary)
        let bad = text.split(separator: "\n").filter { $0.hasPrefix("BAD ") }
        #expect(summary.hasSuffix(", 0 bad"), "\(summary)\n\(bad.prefix(5).joined(separator: "\n"))\n\(text.suffix(2000))")
    }
}
