// The wire's binary format (issue 19, fourth round): values come back bit for bit, and whatever a
// hostile runner sends is refused with a clear error, never a trap or an allocation sized by a
// count it did not back with bytes.
import Foundation
import GradingChannel
import Testing
import WorkbookCore

@Suite("The wire's binary format")
struct WireFormatTests {
    /// Doubles JSON could not carry as they were: NaN payloads (quiet and signalling), -0, the
    /// smallest and largest subnormals, both infinities, and the extremes.
    static let awkward: [Double] = [
        Double(bitPattern: 0x7FF8_0000_0000_1234), Double(bitPattern: 0xFFF8_0000_0000_0001), Double(bitPattern: 0x7FF0_0000_0000_0001),
        -0.0, 0.0, Double.leastNonzeroMagnitude, Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), -Double.leastNormalMagnitude,
        .infinity, -.infinity, .greatestFiniteMagnitude, 0.1, -Double.leastNormalMagnitude / 3, 1 / 3,
    ]

    static func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

    @Test("doubles round-trip bit for bit: alone, in bulk, in a tensor and in a cache")
    func doublesRoundTripExactly() throws {
        for value in Self.awkward {
            let back = try Wire.decode(Double.self, from: try Wire.encode(value))
            #expect(back.bitPattern == value.bitPattern, "\(value) came back as \(back) (bits \(String(back.bitPattern, radix: 16)))")
        }
        #expect(Self.bits(try Wire.decode([Double].self, from: try Wire.encode(Self.awkward))) == Self.bits(Self.awkward))
        let tensor = try Tensor(shape: [2, 7], scalars: Self.awkward)
        let back = try Wire.decode(Tensor.self, from: try Wire.encode(tensor))
        #expect(back.shape == [2, 7])
        #expect(Self.bits(back.scalars) == Self.bits(Self.awkward))
        let cache = DenseCache(x: tensor, weight: try Tensor(shape: [7, 2], scalars: Self.awkward.reversed()))
        let cacheBack = try Wire.decode(DenseCache.self, from: try Wire.encode(cache))
        #expect(Self.bits(cacheBack.x.scalars) == Self.bits(cache.x.scalars))
        #expect(Self.bits(cacheBack.weight.scalars) == Self.bits(cache.weight.scalars))
        // A Float too (no graded value uses one today, but the format must not round it through Double text).
        let float = Float(bitPattern: 0x7FC0_1234)
        #expect(try Wire.decode(Float.self, from: try Wire.encode(float)).bitPattern == float.bitPattern)
    }

    @Test("the workbook's value types round-trip: tuples' parts, enums with payloads, optionals, generators, errors")
    func valueTypesRoundTrip() throws {
        var generator = SeededGenerator(seed: 19)
        _ = generator.next()
        #expect(try Wire.decode(SeededGenerator.self, from: try Wire.encode(generator)) == generator)
        let labels = [0, -1, Int.max, Int.min, 42]
        #expect(try Wire.decode([Int].self, from: try Wire.encode(labels)) == labels)
        let tensors = [Tensor(scalar: 2), Tensor([1, 2, 3]), try Tensor([[1, 2], [3, 4]]), Tensor(zeros: [0, 3])]
        #expect(try Wire.decode([Tensor].self, from: try Wire.encode(tensors)) == tensors)
        let layers: [NetworkLayer] = try [.dense(weight: Tensor([[1, 2]]), bias: Tensor([0.5, -0.5])), .relu]
        #expect(try Wire.decode([NetworkLayer].self, from: try Wire.encode(layers)) == layers)
        let mode: [Mode?] = [.training, nil, .inference]
        #expect(try Wire.decode([Mode?].self, from: try Wire.encode(mode)) == mode)
        let text = "naïve — ∂L/∂x 🙂"
        #expect(try Wire.decode(String.self, from: try Wire.encode(text)) == text)
        let error = ThrownError(ShapeError(operation: "reluForward", shapes: [[2, 3], [3]], detail: "mismatch"))
        let rebuilt = try #require(try Wire.decode(ThrownError.self, from: try Wire.encode(error)).rebuilt as? ShapeError)
        #expect(rebuilt == ShapeError(operation: "reluForward", shapes: [[2, 3], [3]], detail: "mismatch"))
    }

    @Test("a frame round-trips with every header field, and values keep their bytes")
    func frameRoundTrip() throws {
        let values = [try Wire.encode(Tensor([1, .nan, -0.0])), Data(), try Wire.encode(3)]
        let error = ThrownError(kind: "NotImplemented", payload: Data([1, 2, 3]), description: "ReLU1 is not done")
        for header in [FrameHeader(kind: .call, sequence: 7, function: "reluForward(_:Tensor)"),
                       FrameHeader(kind: .evaluate, sequence: -1, closure: 2),
                       FrameHeader(kind: .threw, sequence: Int.max, function: "f", closure: 0, error: error)] {
            let bytes = try Wire.bytes(of: Frame(header, values: values))
            let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
            #expect(length == bytes.count - 4)
            let back = try Wire.frame(from: Array(bytes.dropFirst(4)))
            #expect(back.header.kind == header.kind)
            #expect(back.header.sequence == header.sequence)
            #expect(back.header.function == header.function)
            #expect(back.header.closure == header.closure)
            #expect(back.header.error == header.error)
            #expect(back.values == values)
        }
    }

    /// Every way a value can be cut short or oversized: a decoder that trusted a count would
    /// allocate gigabytes or read past the end (a trap); this one must throw.
    @Test("huge counts and lengths are refused without allocating or reading past the end")
    func hugeCountsAreRefused() throws {
        func word(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        let cases: [(String, [UInt8])] = [
            ("2^32-1 doubles in 16 bytes", [10] + word(.max) + Array(repeating: 0, count: 16)),
            ("2^32-1 integers in 16 bytes", [11] + word(.max) + Array(repeating: 0, count: 16)),
            ("a string of 2^32-1 bytes", [7] + word(.max) + Array("abc".utf8)),
            ("an array of 2^31 elements in 4 bytes", [8] + word(1 << 31) + word(4) + [5, 0, 0, 0]),
            ("an array whose length runs past the end", [8] + word(1) + word(.max) + [0]),
            ("a keyed container of 2^32-1 entries", [9] + word(.max) + word(0)),
            ("an unknown tag", [200]),
            ("nothing", []),
        ]
        for (what, bytes) in cases {
            #expect(throws: DecodingError.self, "\(what) was accepted") { _ = try Wire.decode([Double].self, from: Data(bytes)) }
            #expect(throws: DecodingError.self, "\(what) was accepted") { _ = try Wire.decode(Tensor.self, from: Data(bytes)) }
            #expect(throws: DecodingError.self, "\(what) was accepted") { _ = try Wire.decode([Tensor].self, from: Data(bytes)) }
        }
        // A tensor whose shape does not hold its elements is refused by Tensor's own check.
        let lying = try Wire.encode(Shaped(shape: [1 << 40, 1 << 40], scalars: [1, 2]))
        #expect(throws: DecodingError.self) { _ = try Wire.decode(Tensor.self, from: lying) }
    }

    /// A recursive type nested a million deep: a decoder without a depth limit runs out of stack.
    @Test("containers nested deeper than the limit are refused, not recursed into")
    func deepNestingIsRefused() throws {
        // Level k from the outside holds one element: the 9·(depth − k) bytes of the levels inside it.
        let depth = 1_000_000
        var bytes: [UInt8] = []
        bytes.reserveCapacity(9 * (depth + 1))
        for level in 0..<depth {
            bytes += [8, 1, 0, 0, 0] + withUnsafeBytes(of: UInt32(9 * (depth - level)).littleEndian) { Array($0) }
        }
        bytes += [8, 0, 0, 0, 0, 0, 0, 0, 0]   // the innermost: an empty array
        #expect(throws: DecodingError.self) { _ = try Wire.decode(Nest.self, from: Data(bytes)) }
        // Within the limit it decodes.
        let shallow = Nest.node([.node([.node([])])])
        #expect(try Wire.decode(Nest.self, from: try Wire.encode(shallow)) == shallow)
    }

    /// Random bytes and every prefix of a real reply, decoded as frames and as each type a reply
    /// holds: each must either decode or throw (`malformed` for frames). A trap ends the test run.
    @Test("random and truncated frames are refused with malformed, never a trap")
    func garbageIsRefused() throws {
        var generator = SeededGenerator(seed: 1919)
        let reply = try Wire.bytes(of: Frame(FrameHeader(kind: .returned, sequence: 3), values: [
            try Wire.encode(try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, .nan])),
            try Wire.encode(ReLUCache(x: Tensor([1, -1]))),
        ]))
        let body = Array(reply.dropFirst(4))
        var samples: [[UInt8]] = (0..<body.count).map { Array(body.prefix($0)) }
        for _ in 0..<3000 {
            var bytes = body
            for _ in 0..<Int(generator.next() % 4 + 1) {   // flip a few bytes of a real reply
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            samples.append(bytes)
            samples.append((0..<Int(generator.next() % 96)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        }
        var refused = 0
        for bytes in samples {
            do {
                let frame = try Wire.frame(from: bytes)
                for value in frame.values {   // what a reply's values are decoded as
                    _ = try? Wire.decode(Tensor.self, from: value)
                    _ = try? Wire.decode(ReLUCache.self, from: value)
                    _ = try? Wire.decode([Tensor].self, from: value)
                    _ = try? Wire.decode(NetworkLayer.self, from: value)
                    _ = try? Wire.decode(Double.self, from: value)
                }
            } catch let error as ChannelError {
                guard case .malformed = error else { Issue.record("\(error) is not malformed"); continue }
                refused += 1
            }
        }
        // Every strict prefix is cut short somewhere, so all of them are refused.
        #expect(refused >= body.count - 1)
        #expect(throws: ChannelError.self) { _ = try Wire.frame(from: Array(body.prefix(body.count - 1))) }
    }

    @Test("a frame longer than the limit is refused as it arrives, before its bytes are read")
    func oversizedFrameIsRefused() throws {
        var fds: [CInt] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var prefix = UInt32(Wire.maximumFrame + 1).littleEndian
        #expect(write(fds[1], &prefix, 4) == 4)
        let channel = Channel(input: fds[0], output: fds[1])
        #expect(throws: ChannelError.malformed("a message of \(Wire.maximumFrame + 1) bytes")) {
            _ = try channel.receive(deadline: Date().timeIntervalSince1970 + 5)
        }
    }
}

/// A tensor's fields without its checks, to send what a hostile runner could.
private struct Shaped: Codable { var shape: [Int]; var scalars: [Double] }

/// A recursive type, like `LayerDescription`.
private indirect enum Nest: Codable, Equatable { case node([Nest]) }
