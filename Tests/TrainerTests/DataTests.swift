import Foundation
import Testing
@testable import TrainerKit
import WorkbookCore

@Suite("data loading", .enabled(if: GradedFolder.isReferenceOrPristine, GradedFolder.reason))
struct DataTests {
    @Test("the shipped digits: 1797 images of 8x8 with labels 0...9 and pixels 0...16")
    func digits() throws {
        let digits = try DataLoader.digits()
        #expect(digits.count == 1797)
        #expect(digits.features.shape == [1797, 64])
        #expect(digits.imageShape == [8, 8, 1])
        #expect(digits.classCount == 10)
        #expect(digits.features.min() == 0 && digits.features.max() == 16)
        // The first row of the file (label 0), read by eye from digits.csv.
        #expect(digits.labels[0] == 0)
        #expect(Array(digits.features.scalars[0..<8]) == [0, 0, 5, 13, 9, 1, 0, 0])
        // Every class has between 174 and 183 examples (`cut -d, -f1 digits.csv | sort | uniq -c`).
        #expect(digits.classCounts.allSatisfy { (174...183).contains($0) }, "\(digits.classCounts)")
    }

    @Test("a CSV with or without a header")
    func goodCSV() throws {
        let withHeader = try DataLoader.csv(text: "label,a,b\n1,0.5,2\n0,-1,3e2\n\n", name: "t.csv")
        #expect(withHeader.labels == [1, 0])
        #expect(withHeader.features == (try Tensor([[0.5, 2], [-1, 300]])))
        let bare = try DataLoader.csv(text: "2,1,1\r\n0,0,0\r\n", name: "t.csv")
        #expect(bare.labels == [2, 0] && bare.classCount == 3)
    }

    @Test("a malformed CSV names the file and line", arguments: [
        ("pixel,a,b\n1,2,3\n", "t.csv: line 1: bad header: the first column must be 'label', found 'pixel'"),
        ("label,a,b\n1,2,3\n1,2\n", "t.csv: line 3: expected 3 columns (label + 2 features), found 2"),
        ("label,a,b\n1,2,3\n\n0,x,3\n", "t.csv: line 4: column 2: expected a finite decimal number (such as 12, -0.5 or 3e-2), found 'x'"),
        ("1,2,3\n-1,2,3\n", "t.csv: line 2: column 1: the label must be an integer in 0...999 (at most 1000 classes), found '-1'"),
        ("1.5,2,3\n", "t.csv: line 1: column 1: the label must be an integer in 0...999 (at most 1000 classes), found '1.5'"),
        ("1,2,nan\n", "t.csv: line 1: column 3: expected a finite decimal number (such as 12, -0.5 or 3e-2), found 'nan'"),
        ("label,a\n", "t.csv: line 2: no data rows"),
    ])
    func badCSV(_ text: String, _ message: String) {
        #expect {
            _ = try DataLoader.csv(text: text, name: "t.csv")
        } throws: { error in
            "\(error)" == message
        }
    }

    /// Writes IDX files by hand: magic, big-endian sizes, then the bytes.
    static func idxFiles(in dir: String, images: [UInt8]? = nil, labels: [UInt8]? = nil) throws -> (String, String) {
        func be(_ x: UInt32) -> [UInt8] { [UInt8(x >> 24), UInt8(x >> 16 & 255), UInt8(x >> 8 & 255), UInt8(x & 255)] }
        // Three 2x2 images: pixel value = 10·image + position.
        let imageBytes = images ?? (be(0x803) + be(3) + be(2) + be(2) + (0..<3).flatMap { i in (0..<4).map { UInt8(10 * i + $0) } })
        let labelBytes = labels ?? (be(0x801) + be(3) + [7, 0, 3])
        let imagesPath = dir + "/images.idx", labelsPath = dir + "/labels.idx"
        try Data(imageBytes).write(to: URL(fileURLWithPath: imagesPath))
        try Data(labelBytes).write(to: URL(fileURLWithPath: labelsPath))
        return (imagesPath, labelsPath)
    }

    @Test("IDX images and labels written by the test load as [N, H·W] with image shape [H, W, 1]")
    func goodIDX() throws {
        let (images, labels) = try Self.idxFiles(in: try temporaryDirectory())
        let data = try DataLoader.idx(images: images, labels: labels)
        #expect(data.labels == [7, 0, 3])
        #expect(data.imageShape == [2, 2, 1])
        #expect(data.features == (try Tensor([[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]])))
    }

    @Test("a truncated IDX file or a wrong magic number names the file and the offset")
    func badIDX() throws {
        let dir = try temporaryDirectory()
        // The header promises 3 images of 2x2 (16 + 12 bytes) but the body stops after 5 pixels.
        let truncated: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5]
        var (images, labels) = try Self.idxFiles(in: dir, images: truncated)
        #expect { _ = try DataLoader.idx(images: images, labels: labels) } throws: { error in
            "\(error)" == "\(images): offset 21: truncated: the header promises 3 images of 2x2 (28 bytes), the file ends after 21"
        }
        // A labels file given where the images belong: magic 0x801 instead of 0x803.
        (images, labels) = try Self.idxFiles(in: dir, images: [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 3])
        #expect { _ = try DataLoader.idx(images: images, labels: labels) } throws: { error in
            "\(error)" == "\(images): offset 0: wrong magic number 0x00000801 (an IDX labels file), expected 0x00000803 (IDX images)"
        }
        // Fewer labels than images.
        (images, labels) = try Self.idxFiles(in: dir, labels: [0, 0, 8, 1, 0, 0, 0, 2, 7, 0])
        #expect { _ = try DataLoader.idx(images: images, labels: labels) } throws: { error in
            "\(error)" == "\(labels): offset 4: holds 2 labels but '\(images)' holds 3 images"
        }
    }

    @Test("the split is stratified, disjoint, complete and seeded")
    func stratifiedSplit() throws {
        // 3 classes of 40, 20 and 100 examples; feature = the example's index, so parts can be compared.
        let labels = Array(repeating: 0, count: 40) + Array(repeating: 1, count: 20) + Array(repeating: 2, count: 100)
        let data = Dataset(name: "t", features: Tensor(shape: [160, 1]) { Double($0) }, labels: labels)
        let split = data.stratifiedSplit(validation: 0.25, test: 0.1, seed: 9)
        // Per class: test = round(0.1·n), validation = round(0.25·n), the rest trains.
        #expect(split.test.classCounts == [4, 2, 10])
        #expect(split.validation.classCounts == [10, 5, 25])
        #expect(split.train.classCounts == [26, 13, 65])
        let ids = [split.train, split.validation, split.test].flatMap { $0.features.scalars.map { Int($0) } }
        #expect(ids.sorted() == Array(0..<160))
        let again = data.stratifiedSplit(validation: 0.25, test: 0.1, seed: 9)
        #expect(again.train.features == split.train.features)
        let other = data.stratifiedSplit(validation: 0.25, test: 0.1, seed: 10)
        #expect(other.train.features != split.train.features)
    }

    @Test("normalization fitted on training data gives each feature mean 0 and deviation 1")
    func normalization() throws {
        // Columns: 1, 2, 3 (mean 2, deviation √(2/3)); 5, 5, 5 (constant: deviation taken as 1).
        let x = try Tensor([[1, 5], [2, 5], [3, 5]])
        let normalizer = Normalizer(fitting: x)
        #expect(normalizer.mean == [2, 5])
        #expect(isApproximatelyEqual(normalizer.standardDeviation[0], (2.0 / 3).squareRoot(), absoluteTolerance: 1e-15, relativeTolerance: 1e-15))
        #expect(normalizer.standardDeviation[1] == 1)
        let y = try normalizer.apply(x)
        #expect(y.isApproximatelyEqual(to: try Tensor([[-(1.5).squareRoot(), 0], [0, 0], [(1.5).squareRoot(), 0]]), absoluteTolerance: 1e-12))
        // Shared statistics (images): one mean 3.5 and one deviation over all six values.
        let shared = Normalizer(fitting: x, perFeature: false)
        #expect(shared.mean == [3.5, 3.5])
        #expect(throws: TrainerError.self) { try normalizer.apply(Tensor([[1, 2, 3]])) }
    }

    @Test("generated sets are seeded and balanced", arguments: GeneratedData.names)
    func generated(_ name: String) throws {
        let a = try #require(GeneratedData.named(name, seed: 3))
        let b = try #require(GeneratedData.named(name, seed: 3))
        let c = try #require(GeneratedData.named(name, seed: 4))
        #expect(a.features == b.features && a.labels == b.labels)
        #expect(a.features != c.features)
        #expect(a.featureCount == 2)
        let counts = a.classCounts
        #expect(counts.allSatisfy { $0 > 0 })
        if name != "xor" { #expect(Set(counts).count == 1, "\(counts)") }  // xor's labels follow the points
    }
}
