extension Trainer {
    static let experimentCommand = Command(
        name: "experiment",
        abstract: "Reproduce a claim of the notes: print a table and write an SVG plot.",
        discussion: "",
        options: [],
        run: { _, _ in throw TrainerError("experiments are not written yet") })
}
