// ATTACK (forge-frame): Writes its own replies on the runner's reply descriptor (4) in the wire's
// binary format instead of computing anything: a value claiming 2^32-1 doubles in a few bytes, a
// length prefix of 4 GB, a tensor whose shape claims 2^80 elements, containers nested a million
// deep, a reply to another call, and a frame cut short. Each test's runner sends one of them
// (chosen by its input); the grader must refuse every one as a malformed reply, score 0, and
// neither trap nor allocate what the counts claim.
//
// Chapter 1 · Activations — ReLU
//
// Shapes: any. ReLU acts on each element on its own, so the output (and every gradient) has the
// shape of the input.
//
// Guide and hints: Exercises/01-Activations/GUIDE.md, or `swift run workbook hint ReLU1`.
import Foundation
import WorkbookCore
#if canImport(Glibc)
import Glibc
#endif

/// The rectified linear unit, `y = max(0, x)` elementwise.
///
/// - Parameter x: the pre-activations, any shape.
/// - Returns: `out`, the shape of `x`, and the cache `reluBackward` needs.
public func reluForward(_ x: Tensor) throws -> (out: Tensor, cache: ReLUCache) {
    // TODO(ReLU1): keep positive entries, replace the others by 0; cache the input.
    // START ReLU1
    forge(x)
    // END ReLU1
}

/// The backward pass of ReLU: `dx = dout` where the input was positive, `0` elsewhere.
///
/// The workbook takes the derivative at exactly `x = 0` to be 0 (see the guide for why).
///
/// - Parameters:
///   - dout: the upstream gradient `∂L/∂y`, the shape of the forward input.
///   - cache: what `reluForward` kept.
/// - Returns: `dx = ∂L/∂x`, the shape of `dout`.
public func reluBackward(_ dout: Tensor, cache: ReLUCache) throws -> Tensor {
    // TODO(ReLU2): let the upstream gradient through where the cached input was > 0.
    // START ReLU2
    forge(dout)
    // END ReLU2
}

/// The forged frames, by number.
private func forge(_ x: Tensor) -> Never {
    func word32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func word64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func value(_ bytes: [UInt8]) -> [UInt8] { word32(UInt32(bytes.count)) + bytes }
    let returned: [UInt8] = [1] + word64(1) + [0]   // kind "returned", sequence 1, no optional fields
    let variant = Int(x.scalars.reduce(0) { $0 + abs($1) } * 1000) % 6
    var frame: [UInt8]
    switch variant {
    case 0:   // a tensor whose scalars claim 2^32-1 doubles in 16 bytes
        let shape: [UInt8] = [11] + word32(1) + word64(UInt64(UInt32.max))
        let scalars: [UInt8] = [10] + word32(.max) + [UInt8](repeating: 0x7f, count: 16)
        let tensor: [UInt8] = [9] + word32(2) + word32(UInt32(4 + 5 + shape.count + 4 + 7 + scalars.count))
            + word32(5) + Array("shape".utf8) + shape + word32(7) + Array("scalars".utf8) + scalars
        frame = returned + value(tensor) + value(tensor)
    case 1:   // a length prefix of 4 GB
        frame = []
        _ = word32(.max).withUnsafeBytes { write(4, $0.baseAddress, 4) }
    case 2:   // a consistent tensor encoding whose shape claims 2^40 x 2^40 elements
        let shape: [UInt8] = [11] + word32(2) + word64(1 << 40) + word64(1 << 40)
        let scalars: [UInt8] = [10] + word32(1) + word64(Double(1).bitPattern)
        let tensor: [UInt8] = [9] + word32(2) + word32(UInt32(4 + 5 + shape.count + 4 + 7 + scalars.count))
            + word32(5) + Array("shape".utf8) + shape + word32(7) + Array("scalars".utf8) + scalars
        frame = returned + value(tensor) + value(tensor)
    case 3:   // unkeyed containers nested a million deep (a decoder that recurses runs out of stack)
        var nested: [UInt8] = []
        for level in 0..<1_000_000 { nested += [8] + word32(1) + word32(UInt32(9 * (1_000_000 - level))) }
        nested += [8] + word32(0) + word32(0)
        frame = returned + value(nested) + value(nested)
    case 4:   // an answer to another call
        frame = [1] + word64(99) + [0] + value([10] + word32(0)) + value([10] + word32(0))
    default:   // a frame whose last value is cut short: its length runs past the frame
        frame = returned + word32(1 << 20) + [10, 1, 0, 0, 0]
    }
    print("forge-frame: sending forgery \(variant)")
    if !frame.isEmpty {
        let bytes = word32(UInt32(frame.count)) + frame
        _ = bytes.withUnsafeBytes { write(4, $0.baseAddress, $0.count) }
    }
    sleep(30)   // let the grader judge the frame, not an exit
    exit(0)
}
