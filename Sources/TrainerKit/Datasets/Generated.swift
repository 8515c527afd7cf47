import Foundation
import WorkbookCore

/// Seeded two-dimensional toy sets: the same seed gives the same points on every machine.
public enum GeneratedData {
    /// `classes` interleaved spiral arms of `perClass` points each (the CS231n spiral):
    /// radius r = i / perClass, angle θ = 4·(k + r) + noise.
    public static func spiral(classes: Int = 3, perClass: Int = 100, noise: Double = 0.2, seed: UInt64) -> Dataset {
        var rng = SeededGenerator(seed: seed)
        var xs = [Double](), labels = [Int]()
        for k in 0..<classes {
            for i in 0..<perClass {
                let r = Double(i) / Double(max(perClass - 1, 1))
                let t = Double(k) * 4 + r * 4 + rng.nextNormal(standardDeviation: noise)
                xs += [r * sin(t), r * cos(t)]
                labels.append(k)
            }
        }
        return Dataset(name: "spiral", features: Tensor(shape: [labels.count, 2]) { xs[$0] }, labels: labels, classCount: classes)
    }

    /// Two interleaving half circles (scikit-learn's `make_moons`) with Gaussian noise: the core's
    /// `twoMoons`, the same points chapter 15's graded tests train on.
    public static func moons(count: Int = 400, noise: Double = 0.1, seed: UInt64) -> Dataset {
        var rng = SeededGenerator(seed: seed)
        let (x, labels) = twoMoons(count: count, noise: noise, using: &rng)
        return Dataset(name: "moons", features: x, labels: labels, classCount: 2)
    }

    /// Points uniform in [-1, 1]², labelled by whether x and y have the same sign (XOR).
    public static func xor(count: Int = 400, seed: UInt64) -> Dataset {
        var rng = SeededGenerator(seed: seed)
        var xs = [Double](), labels = [Int]()
        for _ in 0..<count {
            let x = rng.nextUniform(in: -1..<1), y = rng.nextUniform(in: -1..<1)
            xs += [x, y]
            labels.append((x > 0) != (y > 0) ? 1 : 0)
        }
        return Dataset(name: "xor", features: Tensor(shape: [count, 2]) { xs[$0] }, labels: labels, classCount: 2)
    }

    /// `classes` Gaussian blobs with centres on a circle of radius 3 and unit spread.
    public static func blobs(classes: Int = 4, perClass: Int = 100, spread: Double = 1, seed: UInt64) -> Dataset {
        var rng = SeededGenerator(seed: seed)
        var xs = [Double](), labels = [Int]()
        for k in 0..<classes {
            let angle = 2 * Double.pi * Double(k) / Double(classes)
            for _ in 0..<perClass {
                xs += [3 * cos(angle) + rng.nextNormal(standardDeviation: spread), 3 * sin(angle) + rng.nextNormal(standardDeviation: spread)]
                labels.append(k)
            }
        }
        return Dataset(name: "blobs", features: Tensor(shape: [labels.count, 2]) { xs[$0] }, labels: labels, classCount: classes)
    }

    /// The names accepted by `--data`, besides `digits` and file paths.
    public static let names = ["spiral", "moons", "xor", "blobs"]

    public static func named(_ name: String, seed: UInt64) -> Dataset? {
        switch name {
        case "spiral": spiral(seed: seed)
        case "moons": moons(seed: seed)
        case "xor": xor(seed: seed)
        case "blobs": blobs(seed: seed)
        default: nil
        }
    }
}
