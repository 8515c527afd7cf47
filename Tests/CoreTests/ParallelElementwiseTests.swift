// The core's operators on the trainer's threads: the same bits as one thread (each element is the
// same IEEE operation on the same two numbers), and a caller's closure (`map`, `zip`, `broadcasting`)
// never leaves the calling thread, even with the trainer's threads set.
import Foundation
import Testing
@testable import WorkbookCore

@Suite("Elementwise operators on the trainer's threads", .serialized)
struct ParallelElementwiseTests {
    /// Runs `body` with ``GemmSettings/threads`` set to `threads`, then puts the old value back.
    @discardableResult
    static func withThreads<R>(_ threads: Int, _ body: () throws -> R) throws -> R {
        let old = GemmSettings.threads
        try GemmSettings.use(threads: threads)
        defer { try? GemmSettings.use(threads: old) }
        return try body()
    }

    @Test("every operator gives one thread's bits on 2 and 3 threads, and each element is its own operation")
    func sameBits() throws {
        var rng = SeededGenerator(seed: 11)
        let a = Tensor.randomNormal(shape: [300, 257], standardDeviation: 3, using: &rng)
        let b = Tensor.randomNormal(shape: [300, 257], standardDeviation: 3, using: &rng)
        let row = Tensor.randomNormal(shape: [257], standardDeviation: 3, using: &rng)
        let positive = a.mapped(Square.self) + 0.5
        func all() throws -> [Tensor] {
            [try a + b, try a - b, try a * b, try a / b, try a + row, try a * row, try row.reshaped([1, 257]) - a,
             a + 2.5, a - 2.5, a * 2.5, a / 2.5, 2.5 + a, 2.5 - a, 2.5 * a, 2.5 / a, -a,
             positive.squareRoot(), a.squared(), exp(a), log(positive)]
        }
        let one = try Self.withThreads(1, all)
        // The reference: the same operation on each pair of numbers, in a plain loop.
        let x = a.scalars, y = b.scalars, r = row.scalars, p = positive.scalars
        let expected: [[Double]] = [
            zip(x, y).map(+), zip(x, y).map(-), zip(x, y).map(*), zip(x, y).map(/),
            x.indices.map { x[$0] + r[$0 % 257] }, x.indices.map { x[$0] * r[$0 % 257] }, x.indices.map { r[$0 % 257] - x[$0] },
            x.map { $0 + 2.5 }, x.map { $0 - 2.5 }, x.map { $0 * 2.5 }, x.map { $0 / 2.5 },
            x.map { 2.5 + $0 }, x.map { 2.5 - $0 }, x.map { 2.5 * $0 }, x.map { 2.5 / $0 }, x.map { -$0 },
            p.map { $0.squareRoot() }, x.map { $0 * $0 }, x.map { Foundation.exp($0) }, p.map { Foundation.log($0) },
        ]
        for (index, (tensor, scalars)) in zip(one, expected).enumerated() {
            #expect(tensor.shape == a.shape && tensor.scalars == scalars, "operator \(index) on one thread")
        }
        for threads in [2, 3] {
            let many = try Self.withThreads(threads, all)
            for (index, (t1, tn)) in zip(one, many).enumerated() {
                #expect(t1.shape == tn.shape && t1.scalars == tn.scalars, "operator \(index) on \(threads) threads differs from one thread")
            }
        }
        // Shapes that do not broadcast are still refused, on any thread count.
        try Self.withThreads(2) {
            #expect(throws: ShapeError.self) { try a + Tensor(zeros: [300, 2]) }
        }
    }

    @Test("map, zip and broadcasting run the caller's closure on the calling thread only, whatever the threads")
    func callersClosuresStayHome() throws {
        let a = Tensor(repeating: 1, shape: [512, 512])   // 2¹⁸ elements, far above the parallel threshold
        let caller = pthread_self()
        try Self.withThreads(2) {
            // An impure closure, as a student's may be: it counts its calls in a plain var.
            var calls = 0, elsewhere = 0
            func note() { calls += 1; if pthread_equal(pthread_self(), caller) == 0 { elsewhere += 1 } }
            _ = a.map { note(); return $0 }
            _ = try Tensor.zip(a, a) { x, _ in note(); return x }
            _ = try Tensor.broadcasting(a, a, operation: "test") { x, _ in note(); return x }
            _ = try Tensor.broadcasting(a, Tensor(repeating: 1, shape: [512]), operation: "test") { x, _ in note(); return x }
            #expect(calls == 4 * a.count)
            #expect(elsewhere == 0, "\(elsewhere) calls of a caller's closure ran on another thread")
        }
    }
}
