import Foundation
import WorkbookCore

extension Trainer {
    static let exportCommand = Command(
        name: "export",
        abstract: "Write a checkpoint's best model as safetensors, for PyTorch, JAX or numpy.",
        discussion: """
            Writes the parameters, the batch norms' running statistics and the input normalizer, named and laid out
            as documented in Sources/TrainerKit/Output/SafeTensors.swift (dense weights [in, out], conv weights HWIO,
            NHWC activations), with the architecture in the metadata so that 'import' can rebuild the checkpoint.
            Example: trainer export --checkpoint runs/mlp-digits/model.ckpt --format safetensors
            """,
        options: [
            .value("checkpoint", "file", "the model.ckpt written by train"),
            .value("format", "name", default: "safetensors", "the file format (safetensors)"),
            .value("dtype", "type", default: "F64", "F64 (exact) or F32 (half the size)"),
            .value("output", "file", "where to write (default: the checkpoint's path with .safetensors)"),
            .value("include-split", "part", "also store a split of the checkpoint's data (train, validation or test) as data.<part>.features [N, D], normalized as the network sees it, and data.<part>.labels [N], to check a port"),
        ],
        run: { options, console in
            _ = try options.choice("format", ["safetensors"])
            guard let dtype = SafeTensorsFile.DType(rawValue: try options.choice("dtype", ["F64", "F32"])) else { return }
            let path = try options.string("checkpoint")
            let output = options.optionalString("output")
                ?? URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("safetensors").path
            let checkpoint = try Checkpoint.read(from: path)
            var file = try checkpoint.safeTensors()
            if options.optionalString("include-split") != nil {
                let part = try options.choice("include-split", ["train", "validation", "test"])
                let split = try DataSource.prepare(checkpoint.configuration).split
                let data = part == "train" ? split.train : part == "validation" ? split.validation : split.test
                file.tensors.append(("data.\(part).features", data.features))
                file.tensors.append(("data.\(part).labels", Tensor(data.labels.map(Double.init))))
            }
            try writeAtomically(try file.encoded(dtype: dtype), to: output)
            let scalars = file.tensors.reduce(0) { $0 + $1.tensor.count }
            console.print("wrote \(output): \(file.tensors.count) tensors, \(scalars) \(dtype.rawValue) scalars "
                          + "(best epoch \(checkpoint.bestEpoch) of \(checkpoint.architecture.model))")
        })

    static let importCommand = Command(
        name: "import",
        abstract: "Turn a safetensors file written by export (and perhaps changed elsewhere) back into a checkpoint.",
        discussion: """
            The architecture and the training configuration come from the file's metadata; every tensor must be
            present with the documented name and shape. The checkpoint starts a new history: evaluate and predict
            use its weights, resume trains on from them.
            """,
        options: [
            .value("input", "file", "the .safetensors file"),
            .value("format", "name", default: "safetensors", "the file format (safetensors)"),
            .value("output", "file", "the checkpoint to write (default: the input's path with .ckpt)"),
            .flag("force", "replace the output file if it exists"),
        ],
        run: { options, console in
            _ = try options.choice("format", ["safetensors"])
            let path = try options.string("input")
            let output = options.optionalString("output")
                ?? URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("ckpt").path
            if FileManager.default.fileExists(atPath: output) && !options.has("force") {
                throw TrainerError("'\(output)' exists (perhaps the checkpoint this file was exported from); choose another --output or add --force")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TrainerError("cannot read '\(path)': no such file or not readable")
            }
            let checkpoint = try Checkpoint(importing: try SafeTensorsFile.decode([UInt8](data), name: path), name: path)
            try checkpoint.write(to: output)
            console.print("wrote \(output): \(checkpoint.architecture.model), \(checkpoint.bestParameters.joined().reduce(0) { $0 + $1.count }) parameters")
        })
}
