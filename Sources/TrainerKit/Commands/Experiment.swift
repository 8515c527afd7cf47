import Foundation
import WorkbookCore

extension Trainer {
    static var experimentNames: [String] { Experiments.names }

    static let experimentCommand = Command(
        name: "experiment",
        abstract: "Reproduce a claim of the notes: print a table and write an SVG plot.",
        discussion: """
            bn-learning-rate   batch norm allows a higher learning rate (the same MLP with and without BN)
            bn-batch-size      BN's batch noise, and its regularization, weaken as the batch grows
            dropout-gap        dropout narrows the train/test gap on a small training set
            initialization     He, Xavier and naive init: activation variance through ReLU layers, and training
            residual           residual versus plain deep nets (with and without BN): first-layer gradient, training loss
            dropout-test-time  weight scaling versus Monte-Carlo averaging of dropout at test time
            snapshot-ensemble  a snapshot ensemble (cyclic learning rate) versus a single model
            Each prints whether the claim holds by its stated rule. --small runs the seeded miniature the tests run.
            Build in release: WORKBOOK=Solutions swift run -c release trainer experiment --name all
            """,
        options: [
            .value("name", "experiment", default: "all", "one of the names above, or all"),
            .value("seed", "n", default: "1", "seeds every run, 0...\(UInt64.max)"),
            .value("out", "directory", default: "runs/experiments", "where the SVG plots go"),
            .flag("small", "run the small seeded version (as the tests do)"),
            .flag("overwrite", "replace plots an earlier run left in --out"),
        ],
        run: { options, console in
            let name = try options.choice("name", experimentNames + ["all"])
            let seed = try options.uint64("seed")
            let out = try options.string("out")
            let scale: ExperimentScale = options.has("small") ? .small : .full
            let chosen = name == "all" ? Experiments.all : [Experiments.named(name)!]
            // Checked before minutes of training, not after.
            for experiment in chosen {
                try OutputFiles.check(PathText.file("\(experiment.name).svg", inFolder: out), chosenBy: "--out", inputs: [], overwrite: options.has("overwrite"))
            }
            // The folder too: a file in its place or a read-only parent is found now, not after the first table.
            let created = try OutputFiles.prepareDirectory(out, chosenBy: "--out")
            var wroteAny = false
            defer { if !wroteAny { OutputFiles.removeEmpty(created) } }
            for experiment in chosen {
                console.print("== \(experiment.name): \(experiment.claim)")
                let result = try experiment.run(seed: seed, scale: scale)
                console.print(result.table.text)
                console.print(result.conclusion)
                console.print("claim \(result.claimHolds ? "holds" : "DOES NOT HOLD") (\(experiment.rule))")
                let path = PathText.file("\(experiment.name).svg", inFolder: out)
                try writeAtomically(result.figure, to: path)
                wroteAny = true
                console.print("wrote \(shownWord(path))\n")
            }
        })
}
