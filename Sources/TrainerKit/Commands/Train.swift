import Foundation
import WorkbookCore

extension Trainer {
    static let trainOptions: [Option] = [
        .value("model", "name", default: "mlp", "mlp, cnn, notes (the notes' Dense 20 → 3 → 1 network), resnet or resmlp (dense blocks)"),
        .value("data", "source", default: "digits", DataSource.help),
        .value("labels", "file", "the IDX labels file that goes with an IDX images file"),
        .value("hidden", "widths", "hidden layer widths (mlp; default 512,256), or the block width (resmlp; default 256); each 1...\(Limits.maxWidth)").allowingEmpty(),
        .value("activation", "name", default: "relu", "the MLP's hidden activation: relu, tanh, sigmoid, leaky (slope 0.02) or elu"),
        .value("batch-norm", "where", default: "none", "batch normalization: none, before or after the activation"),
        .value("keep", "probability", default: "1", "dropout keep probability after each hidden layer, \(Limits.minKeepProbability)...1 (1 = no dropout)"),
        .value("init", "scheme", default: "he", "weight initialization: xavier, he or naive (N(0, 0.01²))"),
        .value("optimizer", "rule", default: "sgd", "sgd, momentum or adam"),
        .value("learning-rate", "rate", default: "0.1", "the step size, above 0 and at most 1e6"),
        .value("momentum", "beta", default: "0.9", "momentum's coefficient, 0...1"),
        .value("lr-decay", "factor", default: "1", "multiply the learning rate by this after every epoch, above 0 and at most 1"),
        .value("batch-size", "n", default: "64", "examples per step, 1...\(Limits.maxBatchSize)"),
        .value("epochs", "n", default: "40", "the most epochs to train, 1...\(Limits.maxEpochs)"),
        .value("patience", "n", default: "0", "stop after n epochs without a better validation accuracy (0 = never), 0...\(Limits.maxEpochs)"),
        .value("seed", "n", default: "1", "seeds the split, the weights, the shuffles and the dropout masks, 0...\(UInt64.max)"),
        .value("validation", "fraction", default: "0.15", "fraction of each class held out for validation, 0...0.9"),
        .value("test", "fraction", default: "0.15", "fraction of each class held out for the final test, 0...0.9 (with --validation, below 1)"),
        .value("channels", "n", "channels of the first convolution, doubling each stage (cnn, default 8; resnet, default 16), 1...\(Limits.maxChannels)"),
        .value("conv-layers", "n", default: "2", "convolution + pooling stages (cnn), 1...\(Limits.maxConvLayers)"),
        .value("blocks", "n", "residual blocks per stage (resnet; default 1) or in all (resmlp; default 3), 0...\(Limits.maxBlocks)"),
        .value("out", "directory", "where to write model.ckpt, metrics.csv and curves.svg (default: runs/<model>-<data>, or runs/reference/<model>-<data> built with WORKBOOK=Solutions)"),
        .value("stop-after", "epoch", "stop after this epoch, as if interrupted (then: resume); 1...--epochs"),
        threadsOption,
        .flag("no-timing", "leave the time out of the epoch lines, so runs can be compared byte for byte"),
        .flag("overwrite", "replace model.ckpt, metrics.csv and curves.svg left in --out by an earlier run"),
    ]

    /// `--threads`, shared by train and resume.
    static let threadsOption = Option.value(
        "threads", "n", default: "auto",
        "threads for large matrix products and the reference layers' per-image loops, 1...\(Limits.maxThreads), or auto (every core; small ones always use one); any count gives identical results")

    /// Applies `--threads` to the matrix kernel: `auto` means every core, since the kernel itself keeps
    /// products too small to gain on one thread.
    static func applyThreads(_ options: ParsedOptions) throws {
        let value = try options.string("threads")
        let threads = value == "auto" ? min(ProcessInfo.processInfo.activeProcessorCount, Limits.maxThreads)
            : try options.int("threads", atLeast: 1, atMost: Limits.maxThreads)
        try GemmSettings.use(threads: threads)
    }

    static let trainCommand = Command(
        name: "train",
        abstract: "Train a model; write a checkpoint, a metrics CSV and an SVG plot of the curves.",
        discussion: """
            Prints one line per epoch (loss, train and validation accuracy, time); a progress bar too when the
            output is a terminal. Keeps the model with the best validation accuracy, then reports its test accuracy.
            The same seed gives byte-identical epoch lines (with --no-timing), checkpoint and metrics.csv (the
            checkpoint and the CSV hold no timings). It never writes over its data or over files an earlier run left
            in --out (unless --overwrite). Ctrl-C stops after the current step and saves the last finished epoch.
            A loss that becomes non-finite or 1000 × the first epoch's stops the run with advice.
            Example: WORKBOOK=Solutions swift run -c release trainer train --model mlp --data digits
            """,
        options: trainOptions,
        run: { options, console in
            let configuration = try trainingConfiguration(options)
            try applyThreads(options)
            let out = options.optionalString("out") ?? defaultDirectory(configuration)
            let stopAfter = try options.optionalString("stop-after").map { _ in try options.int("stop-after", atLeast: 1, atMost: Limits.maxEpochs) }
            let inputs = [("--data", configuration.data)] + (configuration.labelsFile.map { [("--labels", $0)] } ?? [])
            if OutputFiles.exists(out) && !OutputFiles.isDirectory(out) {
                throw UsageError("'--out' must be a directory; \(shown(out)) is a file")
            }
            let files = RunFiles(directory: out)
            for (path, _) in files.all {
                try OutputFiles.check(path, chosenBy: "--out", inputs: inputs, overwrite: options.has("overwrite"))
            }
            if let stopAfter, stopAfter > configuration.epochs {
                throw UsageError("'--stop-after \(stopAfter)' is beyond '--epochs \(configuration.epochs)': the run would end first; "
                                 + "give a stop in 1...\(configuration.epochs)")
            }
            try requireExercises(configuration, command: "train")
            // Bad data is found after the directory is made: a refused run removes what it made.
            let created = try OutputFiles.prepareDirectory(out, chosenBy: "--out")
            do {
                let lock = try CheckpointLock.acquire(files.checkpoint, option: "--out")
                defer { lock.release() }
                warnIfDebugBuild("train", console: console)
                var session = try Session(configuration: configuration)
                try runTraining(&session, files: files, stopAfter: stopAfter, showTime: !options.has("no-timing"), console: console)
            } catch {
                OutputFiles.removeEmpty(created)
                throw error
            }
        }, epilogue: Limits.summary)

    static let resumeCommand = Command(
        name: "resume",
        abstract: "Continue a run from its checkpoint, exactly as if it had never stopped.",
        discussion: """
            The checkpoint holds the weights, the optimizer's state, the random generator and the history,
            so the resumed run ends with the same weights and metrics as an uninterrupted one.
            """,
        options: [
            .value("checkpoint", "file", "the checkpoint written by train; it is updated in place"),
            .value("epochs", "n", "train up to this many epochs in total, above those done and at most \(Limits.maxEpochs) (default: the original run's)"),
            .value("stop-after", "epoch", "stop after this epoch, as if interrupted; above the epochs done and at most --epochs"),
            threadsOption,
            .flag("no-timing", "leave the time out of the epoch lines"),
            .flag("overwrite", "replace a metrics CSV or plot beside the checkpoint that belongs to another run"),
        ],
        run: { options, console in
            try applyThreads(options)
            let path = try options.string("checkpoint")
            // Locked before it is read: a run that read it while another wrote it would discard
            // the other's epochs when it saves.
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            let lock = OutputFiles.isDirectory(directory) ? try CheckpointLock.acquire(path, option: "--checkpoint") : nil
            defer { lock?.release() }
            let checkpoint = try Checkpoint.read(from: path)
            let done = checkpoint.epochsCompleted
            var epochs = checkpoint.configuration.epochs
            if options.optionalString("epochs") != nil {
                epochs = try options.int("epochs", atLeast: 1, atMost: Limits.maxEpochs)
            }
            guard epochs > done else {
                throw UsageError("'--epochs \(epochs)': the checkpoint has already trained \(done) epochs; ask for more than \(done)")
            }
            let stopAfter = try options.optionalString("stop-after").map { _ in try options.int("stop-after", atLeast: 1, atMost: Limits.maxEpochs) }
            if let stopAfter, stopAfter <= done {
                throw UsageError("'--stop-after \(stopAfter)': the checkpoint has already trained \(done) epochs; give a later epoch")
            }
            if let stopAfter, stopAfter > epochs {
                throw UsageError("'--stop-after \(stopAfter)' is beyond the \(epochs) epochs this run trains to (--epochs); give a stop in \(done + 1)...\(epochs)")
            }
            // Resume continues its own run: the checkpoint it was given, and the metrics and plot
            // beside it only if their rows are this run's history.
            let files = RunFiles(resuming: path)
            let inputs = [("--data", checkpoint.configuration.data)] + (checkpoint.configuration.labelsFile.map { [("--labels", $0)] } ?? [])
            for (file, option) in files.all {
                let owned = file == path || files.belongsToRun(file, history: checkpoint.history)
                try OutputFiles.check(file, chosenBy: option, inputs: inputs, overwrite: options.has("overwrite"), ownedByThisRun: owned)
            }
            try requireExercises(checkpoint.configuration, command: "resume")
            warnIfDebugBuild("resume", console: console)
            var session = try Session(resuming: checkpoint, name: path)
            session.configuration.epochs = epochs
            console.print("resuming \(shownWord(path)) after epoch \(done)")
            try runTraining(&session, files: files, stopAfter: stopAfter, showTime: !options.has("no-timing"), console: console)
        })

    /// The options that shape a model's layers, and which of them each model reads
    /// (``ModelFactory/architecture(model:inputFeatures:classes:hidden:activation:batchNorm:keepProbability:imageShape:channels:convLayers:blocks:)``).
    static let shapingOptions = ["hidden", "activation", "batch-norm", "keep", "channels", "conv-layers", "blocks"]
    static let optionsReadBy: [String: [String]] = [
        "mlp": ["hidden", "activation", "batch-norm", "keep"],
        "notes": [],
        "cnn": ["channels", "conv-layers", "batch-norm"],
        "resnet": ["channels", "blocks"],
        "resmlp": ["hidden", "blocks"],
    ]

    /// Refuses a shaping option the model would ignore (given with another value than its
    /// default), as `--labels` with generated data is refused: a run must not look configured
    /// by a flag that changed nothing.
    static func checkModelOptions(_ options: ParsedOptions, model: String) throws {
        let read = optionsReadBy[model] ?? []
        for name in shapingOptions where options.given.contains(name) && !read.contains(name) {
            let value = options.values[name] ?? ""
            if let standard = trainOptions.first(where: { $0.name == name })?.defaultValue, value == standard { continue }
            let takes = read.isEmpty
                ? "\(model) is the notes' fixed network and takes none of " + shapingOptions.map { "--" + $0 }.joined(separator: ", ")
                : "\(model) takes " + read.map { "--" + $0 }.joined(separator: ", ")
            throw UsageError("'--\(name) \(excerpt(value))' does not apply to '--model \(model)', which would ignore it; \(takes)")
        }
        if model == "resmlp", options.given.contains("hidden"), let text = options.values["hidden"], text.split(separator: ",", omittingEmptySubsequences: false).count != 1 || text.isEmpty {
            throw UsageError("'--model resmlp' takes one width in --hidden (its blocks' width), got '\(excerpt(text))'")
        }
    }

    /// Reads and validates the training options.
    static func trainingConfiguration(_ options: ParsedOptions) throws -> TrainingConfiguration {
        let model = try options.choice("model", ModelFactory.names)
        guard let batchNorm = BatchNormPlacement(rawValue: try options.string("batch-norm")) else {
            throw UsageError("'--batch-norm' must be none, before or after, got '\(excerpt(try options.string("batch-norm")))'")
        }
        guard let activation = ActivationChoice(rawValue: try options.string("activation")) else {
            throw UsageError("'--activation' must be relu, tanh, sigmoid, leaky or elu, got '\(excerpt(try options.string("activation")))'")
        }
        guard let initialization = InitChoice(rawValue: try options.string("init")) else {
            throw UsageError("'--init' must be xavier, he or naive, got '\(excerpt(try options.string("init")))'")
        }
        guard let optimizer = OptimizerKind(rawValue: try options.string("optimizer")) else {
            throw UsageError("'--optimizer' must be sgd, momentum or adam, got '\(excerpt(try options.string("optimizer")))'")
        }
        let validation = try options.double("validation", in: 0...0.9)
        let data = try options.string("data")
        if data.isEmpty { throw UsageError("'--data' is empty; give \(DataSource.help)") }
        try DataSource.checkLabelsOption(data: data, labels: options.optionalString("labels"))
        let test = try options.double("test", in: 0...0.9)
        guard validation + test < 1 else { throw UsageError("'--validation' plus '--test' must leave some data to train on") }
        let keep = try options.double("keep", in: 0...1)
        guard keep >= Limits.minKeepProbability else {
            throw UsageError("'--keep' is the probability of keeping a unit; it must be above 0 (at least \(Limits.minKeepProbability), "
                             + "the least a checkpoint stores), got '\(excerpt(try options.string("keep")))'")
        }
        let configuration = TrainingConfiguration(
            model: model, data: data, labelsFile: options.optionalString("labels"),
            hidden: options.optionalString("hidden") == nil ? defaultHidden(model)
                : try options.ints("hidden", atMost: Limits.maxWidth, maxCount: Limits.maxHiddenLayers),
            activation: activation, batchNorm: batchNorm, keepProbability: keep,
            initialization: initialization, optimizer: optimizer,
            learningRate: try options.double("learning-rate", above: 0, atMost: 1e6), momentum: try options.double("momentum", in: 0...1),
            learningRateDecay: try options.double("lr-decay", above: 0, atMost: 1),
            batchSize: try options.int("batch-size", atLeast: 1, atMost: Limits.maxBatchSize),
            epochs: try options.int("epochs", atLeast: 1, atMost: Limits.maxEpochs),
            patience: try options.int("patience", atLeast: 0, atMost: Limits.maxEpochs),
            seed: try options.uint64("seed"), validationFraction: validation, testFraction: test,
            channels: options.optionalString("channels") == nil ? defaultChannels(model)
                : try options.int("channels", atLeast: 1, atMost: Limits.maxChannels),
            convLayers: try options.int("conv-layers", atLeast: 1, atMost: Limits.maxConvLayers),
            blocks: options.optionalString("blocks") == nil ? defaultBlocks(model)
                : try options.int("blocks", atLeast: 0, atMost: Limits.maxBlocks))
        // After every value's own range: a value out of range is named as such first.
        try checkModelOptions(options, model: model)
        if optimizer != .momentum, options.given.contains("momentum"),
           options.values["momentum"] != trainOptions.first(where: { $0.name == "momentum" })?.defaultValue {
            throw UsageError("'--momentum \(excerpt(try options.string("momentum")))' does not apply to '--optimizer \(optimizer.rawValue)', "
                             + "which would ignore it; only --optimizer momentum uses it")
        }
        return configuration
    }

    /// The MLP's default widths were chosen on validation accuracy over seeds 1–8 on the digits
    /// (512,256 for 40 epochs: mean 98.6 %, against 98.2 % for 256,256 for 30); the residual net keeps 256.
    static func defaultHidden(_ model: String) -> [Int] { model == "resmlp" ? [256] : [512, 256] }

    /// The ResNet's stem width, chosen on the digits with seed 1 (8: 96.3 % test, 16: 98.9 %, 32: 97.0 %).
    static func defaultChannels(_ model: String) -> Int { model == "resnet" ? 16 : 8 }

    /// The convolutional ResNet: one basic block per stage (three stages); the dense residual net: three blocks.
    static func defaultBlocks(_ model: String) -> Int { model == "resnet" ? 1 : 3 }

    static func defaultDirectory(_ configuration: TrainingConfiguration) -> String {
        let data = URL(fileURLWithPath: configuration.data).deletingPathExtension().lastPathComponent
        return "\(runsFolder)/\(configuration.model)-\(data)"
    }

    /// Where runs go without `--out`: `runs/reference` for the reference solutions (the README's
    /// set-up), `runs` for the student's own layers.
    #if WORKBOOK_REFERENCE
    static let runsFolder = "runs/reference"
    #else
    static let runsFolder = "runs"
    #endif

    /// Lists, at once, every exercise this model needs that is not done yet.
    static func requireExercises(_ configuration: TrainingConfiguration, command: String) throws {
        let missing = ExerciseChecks.missing(ExerciseChecks.needed(by: configuration))
        if !missing.isEmpty { throw MissingExercisesError(exercises: missing, command: command) }
    }

    /// A debug build trains far slower: say so, with the release command.
    static func warnIfDebugBuild(_ command: String, console: Console) {
        #if DEBUG
        console.error("warning: this trainer is a debug build, \(debugSlowdown) slower than a release build; "
                      + "for real runs: swift run -c release trainer \(command) … (with the same WORKBOOK)")
        #endif
    }

    /// Measured on the digits MLP, debug against release with the same code: 80–100× in wall time per
    /// epoch (issue 17: 4.7–8.3 s against 58–77 ms), 220× in processor time (8.9 s against 40 ms, AMD
    /// EPYC, 2 cores loaded by other builds).
    static let debugSlowdown = "measured 80–220×"

    /// After the first epoch of a debug build: what the whole run will cost, and the way out.
    static func noteDebugEpoch(_ metrics: EpochMetrics, epochs: Int, checkpoint: String, console: Console) {
        #if DEBUG
        guard metrics.epoch == 1, metrics.seconds > 0, epochs > 1 else { return }
        let remaining = metrics.seconds * Double(epochs - 1)
        let took = String(format: "%.1f", metrics.seconds), rest = String(format: "%.0f", remaining)
        console.error("note: epoch 1 took \(took) s in this debug build, so the other \(epochs - 1) need about \(rest) s; "
                      + "a release build is \(debugSlowdown) faster. Ctrl-C saves this epoch, then continue in release: "
                      + "swift run -c release trainer resume --checkpoint \(excerpt(checkpoint, limit: 200)) (with the same WORKBOOK)")
        #endif
    }

    /// Trains until the configured epoch count, early stopping, `stopAfter` or Ctrl-C, saving after
    /// every epoch; stops cleanly, checkpoint saved, when standard output fails.
    static func runTraining(_ session: inout Session, files: RunFiles, stopAfter: Int?, showTime: Bool, console: Console) throws {
        var files = files
        for (path, _) in files.all {
            for removed in OutputFiles.removeStaleTemporaries(besides: path) {
                console.error("note: removed \(shown(removed)), left by a save that was interrupted")
            }
        }
        let total = session.configuration.epochs
        let split = session.split
        console.print("model: \(session.network.architecture) (\(session.network.parameterCount) parameters)")
        console.print("data: \(shownWord(split.train.name)): \(split.train.count) train, \(split.validation.count) validation, \(split.test.count) test")
        if let failure = console.outputFailure {
            throw StoppedError("standard output cannot be written (\(failure)); nothing was trained", code: ExitCode.ioError)
        }
        let interruption = Interruption.install()
        defer { interruption.restore() }
        func save(_ session: Session) throws {
            try session.checkpoint.write(to: files.checkpoint)
            files.written.insert(files.checkpoint)
            try writeCurves(session.history, csv: files.metrics, svg: files.curves, title: session.network.architecture.model)
            files.written.insert(files.metrics)
            files.written.insert(files.curves)
        }
        // A command to paste: the path shell-quoted when it needs it, and never cut.
        let resumeHint = "continue with: \(toolName) resume --checkpoint \(shellQuoted(files.checkpoint))"
        while session.epochsCompleted < total {
            let before = session
            let metrics: EpochMetrics
            do {
                metrics = try session.runEpoch(progress: { done, all in
                    let filled = 30 * done / all
                    console.progress("\r[" + String(repeating: "=", count: filled) + String(repeating: " ", count: 30 - filled) + "] \(done)/\(all)")
                }, shouldStop: console.stopRequested)
                console.progress("\r" + String(repeating: " ", count: 45) + "\r")
            } catch let stop as InterruptedError {
                console.progress("\n")
                session = before
                try save(session)
                let (what, code) = Interruption.stopName
                throw StoppedError("\(what) in epoch \(stop.epoch) after step \(stop.step) of \(stop.steps): saved the state after "
                                   + "epoch \(session.epochsCompleted) to \(shownWord(files.checkpoint)); \(resumeHint)",
                                   code: code)
            } catch let divergence as DivergenceError {
                console.progress("\n")
                throw TrainerError(diagnose(divergence, configuration: session.configuration,
                                            goodCheckpoint: files.written.contains(files.checkpoint) ? files.checkpoint : nil,
                                            goodEpoch: before.epochsCompleted,
                                            resumedFrom: files.option == "--checkpoint" ? files.checkpoint : nil))
            }
            try save(session)
            console.print(metrics.line(of: total, showTime: showTime))
            noteDebugEpoch(metrics, epochs: total, checkpoint: files.checkpoint, console: console)
            if let failure = console.outputFailure {
                throw StoppedError("standard output failed after epoch \(session.epochsCompleted) (\(failure)): stopped; the checkpoint after "
                                   + "epoch \(session.epochsCompleted) is saved in \(shownWord(files.checkpoint)); \(resumeHint)",
                                   code: ExitCode.ioError)
            }
            // A stop at the last epoch is the run's end: finish it (summary, "wrote"), rather than
            // print a resume command that resume refuses (no epochs left).
            if let stopAfter, session.epochsCompleted >= stopAfter, session.epochsCompleted < total {
                console.print("stopped after epoch \(session.epochsCompleted); \(resumeHint)")
                return
            }
            if session.shouldStopEarly {
                console.print("early stopping: no better validation accuracy for \(session.configuration.patience) epochs")
                break
            }
        }
        var evaluation = session
        evaluation.network = session.bestNetwork
        let (_, trainAccuracy) = try evaluation.evaluate(split.train)
        var summary = String(format: "best epoch %d: train %.2f%%, validation %.2f%%", session.bestEpoch,
                             100 * trainAccuracy, 100 * session.bestValidationAccuracy)
        if split.validation.count == 0 { summary += " (no validation split: scored on the training set)" }
        if split.test.count > 0 {
            summary += String(format: ", test %.2f%%", 100 * (try evaluation.evaluate(split.test)).accuracy)
        }
        console.print(summary)
        let written = files.all.map(\.path).filter { files.written.contains($0) }
        if !written.isEmpty { console.print("wrote " + written.map { shownWord($0) }.joined(separator: ", ")) }
        if let failure = console.outputFailure {
            throw StoppedError("standard output failed (\(failure)); training finished and its files are saved in "
                               + shownWord(PathText.folder(of: files.checkpoint)),
                               code: ExitCode.ioError)
        }
    }

    /// The message for a diverging run: first the model's exercises are checked on tiny inputs, and
    /// a wrong one is named; only if they all pass is the learning rate blamed.
    /// - Parameter resumedFrom: the checkpoint a `resume` started from (its file is kept as it was
    ///   until this run writes it).
    static func diagnose(_ divergence: DivergenceError, configuration: TrainingConfiguration, goodCheckpoint: String?, goodEpoch: Int,
                         resumedFrom: String? = nil, checks: [ExerciseCheck]? = nil) -> String {
        let kept = goodCheckpoint.map { " The last good checkpoint (after epoch \(goodEpoch)) of this run is kept at \(shownWord($0))." }
            ?? resumedFrom.map { " The checkpoint it resumed from, \(shownWord($0)), is unchanged." }
            ?? " This run wrote no checkpoint."
        if let (exercise, problem) = ExerciseChecks.firstFailure(checks ?? ExerciseChecks.needed(by: configuration)) {
            return "\(divergence.what). The trainer then checked the exercises this model uses on small inputs, and "
                + "\(exercise) is wrong: \(problem). Fix it first (swift test --filter \(exercise) grades it); the learning rate is not to blame yet."
                + kept
        }
        return divergence.description + kept
    }
}

/// Where a run writes: its checkpoint, the metrics CSV and the SVG plot, and which of them it has
/// written so far ("wrote" lists only those).
struct RunFiles {
    var checkpoint: String
    var metrics: String
    var curves: String
    var written: Set<String> = []
    /// The option that chose each file, for messages.
    var option: String

    var all: [(path: String, option: String)] { [(checkpoint, option), (metrics, option), (curves, option)] }

    /// `train --out directory`: model.ckpt, metrics.csv, curves.svg in it.
    init(directory: String) {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        checkpoint = base + "/model.ckpt"
        metrics = base + "/metrics.csv"
        curves = base + "/curves.svg"
        option = "--out"
    }

    /// `resume --checkpoint dir/NAME.ckpt`: the checkpoint itself, and beside it metrics.csv and
    /// curves.svg for `model.ckpt`, or NAME.metrics.csv and NAME.curves.svg for any other name, named
    /// from the checkpoint's path as given (a relative one stays relative in "wrote …").
    init(resuming path: String) {
        let folder = PathText.folderPrefix(of: path)
        let stem = PathText.stem(of: path)
        checkpoint = path
        let prefix = stem == "model" ? "" : stem + "."
        metrics = folder + prefix + "metrics.csv"
        curves = folder + prefix + "curves.svg"
        option = "--checkpoint"
    }

    /// Whether `path` (the metrics CSV or the plot) was written by the run whose history is
    /// `history`: the CSV's rows are that history's first rows (the plot goes with its CSV).
    func belongsToRun(_ path: String, history: [EpochMetrics]) -> Bool {
        guard let text = try? String(contentsOfFile: metrics, encoding: .utf8) else { return !OutputFiles.exists(path) }
        let rows = text.split(separator: "\n").map(String.init)
        guard rows.first == EpochMetrics.csvHeader, rows.count - 1 <= history.count else { return false }
        return zip(rows.dropFirst(), history).allSatisfy { $0 == $1.csvRow }
    }
}
