import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

// Issue 18: `import` validates exactly what loading a checkpoint validates, and reading a
// safetensors header never traps. Each file here was accepted (or trapped) before the fix.

/// A safetensors file from a header written by hand (padded to 8 bytes) and `dataBytes` zero bytes.
func handMadeSafeTensors(_ header: String, dataBytes: Int) -> [UInt8] {
    var json = Array(header.utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    return littleEndian(UInt64(json.count)) + json + [UInt8](repeating: 0, count: dataBytes)
}

/// The sample checkpoint's export with one edit, as bytes.
func editedExport(_ edit: (inout SafeTensorsFile) throws -> Void) throws -> [UInt8] {
    var file = try CheckpointTests.sample().safeTensors()
    try edit(&file)
    return [UInt8](try file.encoded())
}

/// The configuration JSON of the sample, with `key`'s value replaced by `value` (JSON text).
func editedConfiguration(_ file: SafeTensorsFile, key: String, value: String) throws -> String {
    let json = try #require(file.metadata["configuration"])
    let edited = json.replacing(try Regex("\"\(key)\":(\"[^\"]*\"|[^,}]*)"), with: "\"\(key)\":\(value)")
    try #require(edited != json, "no field \(key) in \(json)")
    return edited
}

@Suite("import validates what checkpoint loading validates", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct ImportValidationTests {
    /// Imports `bytes` through the command line; returns the result and whether a checkpoint was written.
    static func importing(_ bytes: [UInt8]) throws -> (code: Int32, err: String, wrote: Bool) {
        let dir = try temporaryDirectory()
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/in.safetensors"))
        let result = runTrainer(["import", "--input", dir + "/in.safetensors", "--output", dir + "/out.ckpt"])
        return (result.code, result.err, FileManager.default.fileExists(atPath: dir + "/out.ckpt"))
    }

    @Test("an import that evaluate and resume would refuse is refused, naming the field", arguments: [
        ("a NaN weight", "layers.0.weight", "holds a NaN or infinite value"),
        ("a standard deviation of 0", "normalizer.standard_deviation", "field normalizer: a mean is not finite or a deviation is not a positive finite number"),
    ])
    func badValues(what: String, tensor: String, message: String) throws {
        let bytes = try editedExport { file in
            let index = try #require(file.tensors.firstIndex { $0.name == tensor })
            var scalars = file.tensors[index].tensor.scalars
            scalars[0] = tensor.hasPrefix("normalizer") ? 0 : .nan
            file.tensors[index].tensor = try Tensor(shape: file.tensors[index].tensor.shape, scalars: scalars)
        }
        let result = try Self.importing(bytes)
        #expect(result.code == 1 && !result.wrote, "\(what): \(result.err)")
        #expect(result.err.contains(message), "\(what): \(result.err)")
    }

    @Test("configuration metadata the trainer refuses on load is refused on import", arguments: [
        ("batchSize", "0", "field configuration.batchSize: 0 is outside 1...65536"),
        ("model", "\"cnn\"", "field configuration.model: 'cnn' does not match the architecture's 'mlp'"),
        ("learningRate", "0", "field configuration.learningRate: 0.0 is outside"),
    ])
    func badConfiguration(key: String, value: String, message: String) throws {
        let bytes = try editedExport { file in file.metadata["configuration"] = try editedConfiguration(file, key: key, value: value) }
        let result = try Self.importing(bytes)
        #expect(result.code == 1 && !result.wrote, "\(result.err)")
        #expect(result.err.contains(message), "\(result.err)")
    }

    @Test("garbage architecture metadata is described by field, not as a Swift DecodingError")
    func garbageModelMetadata() throws {
        let bytes = try editedExport { file in file.metadata["architecture"] = "{\"model\": 3" }
        let result = try Self.importing(bytes)
        #expect(result.code == 1)
        #expect(result.err.contains("__metadata__: unreadable architecture or configuration ("), "\(result.err)")
        #expect(!result.err.contains("DecodingError") && !result.err.contains("dataCorrupted"), "\(result.err)")
    }

    @Test("an imported checkpoint is one evaluate accepts (momentum: the optimizer state is created)")
    func importedIsLoadable() throws {
        var checkpoint = try CheckpointTests.sample()
        checkpoint.configuration.optimizer = .adam
        checkpoint.optimizerFirst = checkpoint.parameters.map { $0.map { Tensor(zeros: $0.shape) } }
        checkpoint.optimizerSecond = checkpoint.optimizerFirst
        let dir = try temporaryDirectory()
        try checkpoint.safeTensors().encoded().write(to: URL(fileURLWithPath: dir + "/a.safetensors"))
        let result = runTrainer(["import", "--input", dir + "/a.safetensors"])
        #expect(result.code == 0, "\(result.err)")
        let loaded = try Checkpoint.read(from: dir + "/a.ckpt")
        #expect(loaded.optimizerSecond.count == checkpoint.architecture.layers.count)
    }
}

@Suite("safetensors headers: strict, overflow-checked, never a trap", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct SafeTensorsHeaderTests {
    /// Decodes `bytes`; returns the error message, or nil if it decoded.
    static func refusal(_ bytes: [UInt8]) -> String? {
        do { _ = try SafeTensorsFile.decode(bytes, name: "h.safetensors"); return nil } catch { return "\(error)" }
    }

    @Test("shapes whose size overflows an Int are refused with a message, not an arithmetic-overflow trap (child process)")
    func overflowingSizes() async throws {
        await #expect(processExitsWith: .success) {
            for shape in ["[4294967296, 4294967296]", "[2305843009213693952]", "[3037000500, 3037000500, 2]"] {
                let bytes = handMadeSafeTensors("{\"w\":{\"dtype\":\"F64\",\"shape\":\(shape),\"data_offsets\":[0,8]}}", dataBytes: 8)
                guard let message = SafeTensorsHeaderTests.refusal(bytes), message.contains("is larger than any file") else { exit(1) }
            }
            exit(0)
        }
    }

    @Test("a name given twice is refused, whichever copy comes last", arguments: [
        // identical copies
        "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
        // the right one last (the first would not tile the buffer)
        "{\"w\":{\"dtype\":\"F64\",\"shape\":[32],\"data_offsets\":[256,512]},\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
        // the wrong one last: before, "starts at byte 256 … expected 0"
        "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F64\",\"shape\":[32],\"data_offsets\":[256,512]}}",
    ])
    func duplicateNames(header: String) {
        let message = Self.refusal(handMadeSafeTensors(header, dataBytes: 8))
        #expect(message == "h.safetensors: the header names 'w' twice; each name must appear once", "\(message ?? "accepted")")
    }

    @Test("sizes must be whole numbers, quoted as written when they are not (no truncation, no wrap-around)", arguments: [
        ("[64.9, 32.2]", "[0,8]", "shape sizes must be whole numbers 0...9223372036854775807, found the number 64.9"),
        ("[18446744073709551621]", "[0,8]", "found the number 18446744073709551621"),
        ("[1]", "[0,1e20]", "data_offsets must be whole numbers 0...9223372036854775807, found the number 0 and the number 1e20"),
        ("[-1]", "[0,8]", "found the number -1"),
        ("[\"1\"]", "[0,8]", "found a string"),
    ])
    func nonIntegerSizes(shape: String, offsets: String, message: String) {
        let header = "{\"w\":{\"dtype\":\"F64\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}"
        let refusal = Self.refusal(handMadeSafeTensors(header, dataBytes: 8))
        #expect(refusal?.contains(message) == true, "\(refusal ?? "accepted")")
    }

    @Test("a header that is not JSON names the byte offset of the problem")
    func brokenJSON() {
        let header = "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],,\"data_offsets\":[0,8]}}"
        let refusal = Self.refusal(handMadeSafeTensors(header, dataBytes: 8))
        // The second comma is byte 32 of the header, 40 of the file.
        #expect(refusal == "h.safetensors: offset 40: the header is not valid JSON: expected a quoted key", "\(refusal ?? "accepted")")
    }

    @Test("what export writes still decodes to the same tensors (the strict reader reads every valid file)")
    func roundTrip() throws {
        let file = try CheckpointTests.sample().safeTensors()
        let back = try SafeTensorsFile.decode([UInt8](try file.encoded()), name: "x")
        #expect(back.metadata == file.metadata)
        #expect(Dictionary(uniqueKeysWithValues: back.tensors.map { ($0.name, $0.tensor) })
                == Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.tensor) }))
    }
}
