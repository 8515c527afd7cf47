import Foundation
import WorkbookCore

// Notes 003: look at what a network learned. For a checkpoint trained on images, writes
//   first-layer-weights.svg   the first dense layer's weights as images (an MLP on 8x8 digits)
//   filters.svg               the first convolution's filters (a CNN)
//   activations.svg           the maps after the first convolution and its ReLU, for a few test images
// The files are for a human to look at; a test checks that they are written and well formed.

extension Trainer {
    static let visualizeCommand = Command(
        name: "visualize",
        abstract: "Draw what a trained image model learned: first-layer weights, filters, activation maps (SVG).",
        discussion: "An MLP gets first-layer-weights.svg; a CNN gets filters.svg and activations.svg. The images come from the checkpoint's test split.",
        options: [
            .value("checkpoint", "file", "the model.ckpt written by train (trained on image data: digits or IDX)"),
            .value("out", "directory", "where the SVG files go (default: the checkpoint's directory)"),
            .value("examples", "n", default: "4", "test images whose activation maps are drawn, 1...64"),
            .flag("overwrite", "replace SVG files an earlier visualize left in --out"),
        ],
        run: { options, console in
            let path = try options.string("checkpoint")
            let examples = try options.int("examples", atLeast: 1, atMost: 64)
            let out = options.optionalString("out") ?? URL(fileURLWithPath: path).deletingLastPathComponent().path
            let option = options.optionalString("out") == nil ? "--out (default)" : "--out"
            let checkpoint = try Checkpoint.read(from: path)
            let test = try checkpoint.preparedData(name: path).split.test
            let files = try visualizations(checkpoint: checkpoint, test: test, examples: examples).map { ("\(out)/\($0.0)", $0.1) }
            // Every file is checked before the first is written: a refusal writes nothing.
            for (file, _) in files {
                try OutputFiles.check(file, chosenBy: option, inputs: [("--checkpoint", path)], overwrite: options.has("overwrite"))
            }
            for (file, svg) in files {
                try writeAtomically(svg, to: file)
                console.print("wrote \(shownWord(file))")
            }
        })

    /// The SVG files for a checkpoint, by file name.
    static func visualizations(checkpoint: Checkpoint, test: Dataset, examples: Int) throws -> [(String, String)] {
        guard let image = test.imageShape, image.count == 3 else {
            throw TrainerError("visualize needs a model trained on images (digits or IDX); \(checkpoint.configuration.data) has plain features")
        }
        let architecture = checkpoint.architecture
        let parameters = checkpoint.bestParameters
        var files: [(String, String)] = []
        if let conv = architecture.layers.firstIndex(where: { if case .conv = $0 { true } else { false } }) {
            files.append(("filters.svg", try ImageGrid.filters(parameters[conv][0]).svg()))
            // Run the network up to the first ReLU after that convolution.
            guard let relu = architecture.layers[conv...].firstIndex(of: .relu) else { return files }
            var prefix = architecture
            prefix.layers = Array(architecture.layers[...relu])
            var network = Network(architecture: prefix, parameters: Array(parameters[...relu]), running: Array(checkpoint.bestRunning[...relu]))
            let inputs = try test.features.slice(0..<min(examples, test.count))
            let maps = try network.predictLogits(inputs)
            files.append(("activations.svg", try ImageGrid.activationMaps(inputs: inputs, maps: maps, imageShape: image).svg()))
        } else if case .dense = architecture.layers.first, image[2] == 1 {
            files.append(("first-layer-weights.svg", try ImageGrid.denseWeights(parameters[0][0], imageShape: image).svg()))
        } else {
            throw TrainerError("visualize draws an MLP's first dense layer (one-channel images) or a CNN's first convolution; this model has neither")
        }
        return files
    }
}
