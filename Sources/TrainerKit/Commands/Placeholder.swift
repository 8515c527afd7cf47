extension Trainer {
    enum BenchModel { case mlp, cnn }
    static func benchModel(_ model: BenchModel, epochs: Int, _ console: Console) throws {}
    static var trainCommand: Command { benchCommand }
    static var resumeCommand: Command { benchCommand }
    static var evaluateCommand: Command { benchCommand }
    static var predictCommand: Command { benchCommand }
    static var experimentCommand: Command { benchCommand }
}
