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
            .flag("overwrite", "replace an existing output file (never the checkpoint itself)"),
        ],
        run: { options, console in
            _ = try options.choice("format", ["safetensors"])
            guard let dtype = SafeTensorsFile.DType(rawValue: try options.choice("dtype", ["F64", "F32"])) else { return }
            let path = try options.string("checkpoint")
            let given = options.optionalString("output")
            let output = given ?? PathText.replacingExtension(of: path, with: "safetensors")
            // The same rules as train: never over the input, never over an existing file without --overwrite.
            try OutputFiles.check(output, chosenBy: given == nil ? "--output (default)" : "--output", inputs: [("--checkpoint", path)],
                                  overwrite: options.has("overwrite"))
            let checkpoint = try Checkpoint.read(from: path)
            var file = try checkpoint.safeTensors()
            if options.optionalString("include-split") != nil {
                let part = try options.choice("include-split", ["train", "validation", "test"])
                let split = try checkpoint.preparedData(name: path).split
                let data = part == "train" ? split.train : part == "validation" ? split.validation : split.test
                file.tensors.append(("data.\(part).features", data.features))
                file.tensors.append(("data.\(part).labels", Tensor(data.labels.map(Double.init))))
            }
            OutputFiles.removeStaleTemporaries(besides: output)
            try writeAtomically(try file.encoded(dtype: dtype), to: output)
            let scalars = file.tensors.reduce(0) { $0 + $1.tensor.count }
            console.print("wrote \(shownWord(output)): \(file.tensors.count) tensors, \(scalars) \(dtype.rawValue) scalars "
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
            .flag("overwrite", "replace an existing output file (never the input)"),
        ],
        run: { options, console in
            _ = try options.choice("format", ["safetensors"])
            let path = try options.string("input")
            let given = options.optionalString("output")
            let output = given ?? PathText.replacingExtension(of: path, with: "ckpt")
            try OutputFiles.check(output, chosenBy: given == nil ? "--output (default)" : "--output", inputs: [("--input", path)],
                                  overwrite: options.has("overwrite"))
            let bytes = try DataLoader.read(path, what: "safetensors file")
            // Everything checkpoint loading checks, before anything is written: an imported
            // checkpoint is always one that evaluate and resume accept.
            let checkpoint = try Checkpoint(importing: try SafeTensorsFile.decode(bytes, name: shownWord(path)), name: shownWord(path))
            let directory = PathText.folder(of: output)
            let created = try OutputFiles.prepareDirectory(directory, chosenBy: "--output")
            do {
                let lock = try CheckpointLock.acquire(output, option: "--output")
                defer { lock.release() }
                OutputFiles.removeStaleTemporaries(besides: output)
                try checkpoint.write(to: output)
            } catch {
                OutputFiles.removeEmpty(created)
                throw error
            }
            console.print("wrote \(shownWord(output)): \(checkpoint.architecture.model), \(checkpoint.bestParameters.joined().reduce(0) { $0 + $1.count }) parameters")
        })
}
