import Testing
@testable import WorkbookCore

@Suite("Tensor: construction, indexing, shape operations")
struct TensorTests {
    @Test("rows become a row-major matrix")
    func rowsAreRowMajor() throws {
        let t = try Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(t.shape == [2, 3])
        #expect(t.scalars == [1, 2, 3, 4, 5, 6])
        #expect(t[1, 0] == 4)
        #expect(t.strides == [3, 1])
        #expect(t.rows == [[1, 2, 3], [4, 5, 6]])
    }

    @Test("ragged rows and wrong element counts are shape errors, not traps")
    func badConstruction() {
        #expect(throws: ShapeError.self) { try Tensor([[1, 2], [3]]) }
        #expect(throws: ShapeError.self) { try Tensor(shape: [2, 2], scalars: [1, 2, 3]) }
        #expect(throws: ShapeError.self) { try Tensor(shape: [-1, 2], scalars: []) }
    }

    @Test("a shape error names the operation and both shapes")
    func shapeErrorMessage() throws {
        let a = Tensor(zeros: [2, 3]), b = Tensor(zeros: [4, 5])
        let error = try #require(throws: ShapeError.self) { try Tensor.matmul(a, b) }
        #expect(error.operation.hasPrefix("matmul"))
        #expect(error.shapes == [[2, 3], [4, 5]])
        #expect(error.description.contains("[2, 3] and [4, 5]"))
    }

    @Test("reshape infers -1 and refuses a different element count")
    func reshape() throws {
        let t = Tensor(shape: [2, 6]) { Double($0) }
        #expect(try t.reshaped([3, -1]).shape == [3, 4])
        #expect(throws: ShapeError.self) { try t.reshaped([5, -1]) }
        #expect(throws: ShapeError.self) { try t.reshaped([7, 2]) }
    }

    @Test("permuting NHWC to NCHW moves each element to the transposed index")
    func permute() throws {
        let x = Tensor(shape: [2, 3, 4, 5]) { Double($0) }
        let nchw = try x.permuted([0, 3, 1, 2])
        #expect(nchw.shape == [2, 5, 3, 4])
        for (n, h, w, c) in [(0, 0, 0, 0), (1, 2, 3, 4), (0, 1, 2, 3), (1, 0, 3, 1)] {
            #expect(nchw[n, c, h, w] == x[n, h, w, c])
        }
        #expect(try x.permuted([0, 3, 1, 2]).permuted([0, 2, 3, 1]) == x)
        #expect(throws: ShapeError.self) { try x.permuted([0, 0, 1, 2]) }
    }

    @Test("transpose of a matrix")
    func transpose() throws {
        let t = try Tensor([[1, 2, 3], [4, 5, 6]]).transposed()
        #expect(t == (try Tensor([[1, 4], [2, 5], [3, 6]])))
        #expect(throws: ShapeError.self) { try Tensor([1, 2]).transposed() }
    }

    @Test("slice, gather and concatenate along the first axis")
    func sliceGatherConcatenate() throws {
        let t = Tensor(shape: [4, 2]) { Double($0) }
        #expect(try t.slice(1..<3).scalars == [2, 3, 4, 5])
        #expect(try t.gathering([3, 0]).scalars == [6, 7, 0, 1])
        #expect(try Tensor.concatenating([t.slice(0..<1), t.slice(1..<4)]) == t)
        #expect(throws: ShapeError.self) { try t.slice(3..<5) }
        #expect(throws: ShapeError.self) { try t.gathering([4]) }
        #expect(throws: ShapeError.self) { try Tensor.concatenating([t, Tensor(zeros: [1, 3])]) }
    }

    @Test("description prints nested brackets like the notes")
    func description() throws {
        #expect((try Tensor([[1, 0.5], [-2, 3]])).description == "[[1, 0.5], [-2, 3]]")
        #expect(Tensor(scalar: 2.5).description == "2.5")
    }

    @Test("Codable round trip keeps shape and values")
    func codable() throws {
        let t = Tensor(shape: [2, 1, 3]) { Double($0) / 7 }
        let data = try JSONEncoder().encode(t)
        #expect(try JSONDecoder().decode(Tensor.self, from: data) == t)
    }
}

import Foundation

@Suite("Tensor: broadcasting arithmetic")
struct ArithmeticTests {
    @Test("a bias [M] adds to every row of [N, M]")
    func biasAlongRows() throws {
        let x = try Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(try (x + Tensor([10, 20, 30])).rows == [[11, 22, 33], [14, 25, 36]])
    }

    @Test("a column [N, 1] against a row [1, M] gives [N, M]")
    func columnAgainstRow() throws {
        let column = try Tensor([[1], [2]]), row = try Tensor([[10, 20, 30]])
        #expect(try (column * row).rows == [[10, 20, 30], [20, 40, 60]])
        #expect(try (row - column).rows == [[9, 19, 29], [8, 18, 28]])
    }

    @Test("per-channel values [C] apply to every pixel of [N, H, W, C]")
    func perChannelValues() throws {
        let x = Tensor(repeating: 1, shape: [2, 3, 3, 4])
        let scaled = try x * Tensor([1, 2, 3, 4])
        #expect(scaled[1, 2, 0, 3] == 4)
        #expect(scaled[0, 1, 1, 0] == 1)
    }

    @Test("the general path agrees with the fast path")
    func generalAgreesWithFast() throws {
        // [2, 1, 3] + [4, 1] broadcasts to [2, 4, 3] through the odometer path; compare with loops.
        let a = Tensor(shape: [2, 1, 3]) { Double($0) }, b = Tensor(shape: [4, 1]) { Double($0) * 10 }
        let sum = try a + b
        #expect(sum.shape == [2, 4, 3])
        for i in 0..<2 { for j in 0..<4 { for k in 0..<3 { #expect(sum[i, j, k] == a[i, 0, k] + b[j, 0]) } } }
    }

    @Test("shapes that do not broadcast throw")
    func incompatible() {
        #expect(throws: ShapeError.self) { try Tensor(zeros: [2, 3]) + Tensor(zeros: [2]) }
        #expect(throws: ShapeError.self) { try Tensor.zip(Tensor(zeros: [2]), Tensor(zeros: [3])) { $0 + $1 } }
    }

    @Test("scalar operators act elementwise")
    func scalars() throws {
        let x = Tensor([1, -2, 4])
        #expect((x * 2 + 1).scalars == [3, -3, 9])
        #expect((1 - x).scalars == [0, 3, -3])
        #expect((-x).scalars == [-1, 2, -4])
        #expect(x.squared().scalars == [1, 4, 16])
    }
}

@Suite("Tensor: matmul and reductions")
struct LinearAlgebraTests {
    @Test("matmul against a hand-computed product, with every transpose flag")
    func matmul() throws {
        let a = try Tensor([[1, 2], [3, 4], [5, 6]])          // [3, 2]
        let b = try Tensor([[7, 8, 9, 10], [11, 12, 13, 14]])  // [2, 4]
        // Row 0: [1·7+2·11, 1·8+2·12, 1·9+2·13, 1·10+2·14]
        let expected = try Tensor([[29, 32, 35, 38], [65, 72, 79, 86], [101, 112, 123, 134]])
        #expect(try a.matmul(b) == expected)
        #expect(try Tensor.matmul(a.transposed(), b, transposeA: true) == expected)
        #expect(try Tensor.matmul(a, b.transposed(), transposeB: true) == expected)
        #expect(try Tensor.matmul(a.transposed(), b.transposed(), transposeA: true, transposeB: true) == expected)
        #expect(throws: ShapeError.self) { try a.matmul(a) }
    }

    @Test("sums, means and biased variance along axes")
    func reductions() throws {
        let x = try Tensor([[1, 2, 3], [5, 6, 7]])
        #expect(try x.sum(alongAxis: 0).scalars == [6, 8, 10])
        #expect(try x.sum(alongAxis: 1, keepingDimension: true).shape == [2, 1])
        #expect(try x.mean(alongAxis: 1).scalars == [2, 6])
        // Per column: values a, a+4 → mean a+2, biased variance ((−2)² + 2²)/2 = 4.
        #expect(try x.variance(alongAxes: [0]).scalars == [4, 4, 4])
        #expect(try x.max(alongAxis: 1).scalars == [3, 7])
        #expect(try x.argmaxRows() == [2, 2])
        #expect(x.sum() == 24)
        #expect(throws: ShapeError.self) { try x.sum(alongAxis: 2) }
    }

    @Test("per-channel reduction over N, H, W of an NHWC tensor")
    func channelReduction() throws {
        let x = Tensor(shape: [2, 2, 2, 3]) { Double($0 % 3) }   // channel c holds the value c everywhere
        #expect(try x.mean(alongAxes: [0, 1, 2]).scalars == [0, 1, 2])
        #expect(try x.sum(alongAxes: [0, 1, 2], keepingDimensions: true).shape == [1, 1, 1, 3])
    }
}
