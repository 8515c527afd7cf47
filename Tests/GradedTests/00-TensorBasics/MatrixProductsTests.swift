import Testing
import WorkbookCore
import StudentCalls

extension Exercise {
    static let matmul1 = Exercise(id: "Matmul1", chapter: "00-TensorBasics", file: "MatrixProducts.swift", title: "Gram matrix x·xᵀ", points: 1)
}

@Suite("Matmul1 · Gram matrix x·xᵀ", .graded(.matmul1))
struct Matmul1Tests {
    @Test("computes every pairwise dot product of three 2-vectors")
    func workedExample() throws {
        // Rows a = (1, 2), b = (3, 4), c = (0, 1):
        // a·a = 5, a·b = 3 + 8 = 11, a·c = 2, b·b = 9 + 16 = 25, b·c = 4, c·c = 1.
        let g = try gramMatrix(try Tensor([[1, 2], [3, 4], [0, 1]]))
        check(g, equals: try Tensor([[5, 11, 2], [11, 25, 4], [2, 4, 1]]), "gramMatrix([[1, 2], [3, 4], [0, 1]])", in: .matmul1)
    }

    @Test("is [N, N], symmetric, with each row's squared length on the diagonal, for a seeded [5, 3]")
    func properties() throws {
        var rng = SeededGenerator(inputSeed: 7)
        let x = Tensor.randomNormal(shape: [5, 3], using: &rng)
        let g = try gramMatrix(x)
        check(g.shape == [5, 5], "gramMatrix of [5, 3] should be [5, 5]; got \(g.shape) (xᵀ·x would be [3, 3]).", in: .matmul1)
        guard g.shape == [5, 5] else { return }
        check(g, equals: try g.transposed(), "gramMatrix(x) against its transpose (it must be symmetric)", in: .matmul1,
              absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
        let diagonal = Tensor((0..<5).map { g[$0, $0] })
        check(diagonal, equals: try x.squared().sum(alongAxis: 1), "the diagonal of gramMatrix(x) (each row's squared length)",
              in: .matmul1, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
    }

    @Test("rejects a vector, which is not a matrix")
    func rejectsVector() throws {
        try checkThrowsShapeError("gramMatrix of a vector [3]", in: .matmul1) {
            _ = try gramMatrix(Tensor([1, 2, 3]))
        }
    }
}
