// The wire between the grader and the process that runs a student's code.
//
// The grader (the graded tests, which never link or run student code) sends a request: call this
// exercise function with these arguments. The runner (`grade-runner`, which links the student's
// module and nothing of the tests) calls it and answers with what the function returned or threw.
// When an argument is a closure (a gradient check's `f`), the runner asks the grader to evaluate
// it, and the grader answers, until the call's own reply comes.
//
// A frame is a 4-byte little-endian length, then that many bytes: a binary header (the kind's
// byte, the sequence number, the optional function name, closure index and error), then the
// values, each in `BinaryEncoder`'s format with its own 4-byte length. Everything the runner sends is only a
// claim about what a student's function returned: the grader decodes it as the type the exercise
// promises and checks it itself, so nothing on this wire can say "passed".
import Foundation
import WorkbookCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a frame is.
public enum FrameKind: String, Codable, Sendable {
    /// Grader → runner: call `function` with `values` as its arguments.
    case call
    /// Runner → grader: the call returned `values` (return values, then updated `inout` arguments).
    case returned
    /// Runner → grader: the call threw `error`.
    case threw
    /// Runner → grader: evaluate closure argument number `closure` at `values[0]`.
    case evaluate
    /// Grader → runner: the closure's value, in `values[0]`.
    case evaluated
    /// Grader → runner: the closure threw `error` (its description).
    case evaluationFailed
}

/// The error a student's function threw, as the runner describes it.
public struct ThrownError: Codable, Sendable, Hashable {
    /// `NotImplemented`, `ShapeError`, `ArgumentError`, `InvalidKeepProbability`, or another type's name.
    public var kind: String
    /// The workbook error's own fields in the wire's format (`Wire.encode`), for the four kinds above.
    public var payload: Data?
    /// `String(describing:)` of the error, cut to a few hundred characters.
    public var description: String

    public init(kind: String, payload: Data?, description: String) {
        self.kind = kind
        self.payload = payload
        self.description = description
    }
}

/// A frame's header.
public struct FrameHeader: Codable, Sendable {
    public var kind: FrameKind
    /// The call this frame belongs to; replies echo it.
    public var sequence: Int
    /// The exercise function (`reluForward(_:)`) for `call`.
    public var function: String?
    /// The closure argument's index for `evaluate`.
    public var closure: Int?
    public var error: ThrownError?

    public init(kind: FrameKind, sequence: Int, function: String? = nil, closure: Int? = nil, error: ThrownError? = nil) {
        self.kind = kind
        self.sequence = sequence
        self.function = function
        self.closure = closure
        self.error = error
    }
}

public struct Frame: Sendable {
    public var header: FrameHeader
    /// The values, each in `BinaryEncoder`'s format.
    public var values: [Data]

    public init(_ header: FrameHeader, values: [Data] = []) {
        self.header = header
        self.values = values
    }
}

/// Why a frame could not be read.
public enum ChannelError: Error, Equatable, CustomStringConvertible {
    /// The other side closed the channel (the runner died or exited).
    case closed
    /// The bytes are not a frame: too long, cut short, or not the grader's format.
    case malformed(String)
    /// No frame came before the deadline.
    case timedOut

    public var description: String {
        switch self {
        case .closed: "the channel was closed"
        case .malformed(let detail): "a malformed message (\(detail))"
        case .timedOut: "no answer before the time limit"
        }
    }
}

/// The wire's encoding: values in the binary format of `BinaryEncoder` (doubles as their bit
/// patterns, so a NaN or -0 answer arrives as it was), frames as described at the top of this file.
public enum Wire {
    /// The largest frame either side accepts: far above any graded test's tensors.
    public static let maximumFrame = 64 << 20

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        Data(try BinaryEncoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try BinaryDecoder.decode(type, from: [UInt8](data))
    }

    /// The bytes of one frame, length prefix included: the body is the header (kind, sequence,
    /// which optional fields follow, then those fields) and the values, each with its length.
    public static func bytes(of frame: Frame) throws -> [UInt8] {
        let header = frame.header
        var out: [UInt8] = [0, 0, 0, 0, header.kind.code]
        out.reserveCapacity(64 + frame.values.reduce(0) { $0 + $1.count + 4 })
        out.appendWord(UInt64(bitPattern: Int64(header.sequence)))
        let flags: UInt8 = (header.function == nil ? 0 : 1) | (header.closure == nil ? 0 : 2) | (header.error == nil ? 0 : 4)
        out.append(flags)
        func append(_ bytes: some Collection<UInt8>) {
            out.appendCount(bytes.count)
            out.append(contentsOf: bytes)
        }
        if let function = header.function { append(Array(function.utf8)) }
        if let closure = header.closure { out.appendWord(UInt64(bitPattern: Int64(closure))) }
        if let error = header.error { append(try BinaryEncoder.encode(error)) }
        for value in frame.values { append(value) }
        guard out.count - 4 <= maximumFrame else { throw ChannelError.malformed("a message of \(out.count - 4) bytes") }
        out.patchCount(at: 0, out.count - 4)
        return out
    }

    /// Parses a frame's body (without its length prefix). Every length is checked against the
    /// bytes present; anything else is `ChannelError.malformed`.
    public static func frame(from body: [UInt8]) throws -> Frame {
        let reader = BinaryReader(body)
        var offset = 0
        func length() throws -> Int {
            guard let length = try? reader.count(at: offset, limit: body.count) else { throw ChannelError.malformed("a length is cut short") }
            offset += 4
            guard length <= body.count - offset else { throw ChannelError.malformed("a field of \(length) bytes is cut short") }
            return length
        }
        func word() throws -> Int {
            guard let word = try? reader.word(at: offset, limit: body.count) else { throw ChannelError.malformed("the header is cut short") }
            offset += 8
            return Int(truncatingIfNeeded: Int64(bitPattern: word))
        }
        guard body.count >= 10, let kind = FrameKind(code: body[0]) else { throw ChannelError.malformed("the header is not the grader's") }
        offset = 1
        let sequence = try word()
        let flags = body[offset]
        offset += 1
        guard flags & ~7 == 0 else { throw ChannelError.malformed("the header is not the grader's") }
        var header = FrameHeader(kind: kind, sequence: sequence)
        if flags & 1 != 0 {
            let count = try length()
            guard let name = String(validating: body[offset..<offset + count], as: UTF8.self) else {
                throw ChannelError.malformed("a function name that is not UTF-8")
            }
            header.function = name
            offset += count
        }
        if flags & 2 != 0 { header.closure = try word() }
        if flags & 4 != 0 {
            let count = try length()
            do { header.error = try BinaryDecoder.decode(ThrownError.self, from: Array(body[offset..<offset + count])) } catch {
                throw ChannelError.malformed("the error is not the grader's format")
            }
            offset += count
        }
        var values: [Data] = []
        while offset < body.count {
            let count = try length()
            values.append(Data(body[offset..<offset + count]))
            offset += count
        }
        return Frame(header, values: values)
    }
}

extension FrameKind {
    /// The kind's byte on the wire.
    var code: UInt8 {
        switch self {
        case .call: 0
        case .returned: 1
        case .threw: 2
        case .evaluate: 3
        case .evaluated: 4
        case .evaluationFailed: 5
        }
    }

    init?(code: UInt8) {
        switch code {
        case 0: self = .call
        case 1: self = .returned
        case 2: self = .threw
        case 3: self = .evaluate
        case 4: self = .evaluated
        case 5: self = .evaluationFailed
        default: return nil
        }
    }
}

/// One end of the wire: blocking reads and writes on two file descriptors.
public final class Channel: @unchecked Sendable {
    public let input: CInt
    public let output: CInt

    public init(input: CInt, output: CInt) {
        self.input = input
        self.output = output
    }

    public func send(_ frame: Frame) throws {
        let bytes = try Wire.bytes(of: frame)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ChannelError.closed }
            sent += n
        }
    }

    /// Reads one frame; `deadline` (seconds since the epoch) bounds the wait, `nil` waits forever.
    /// `meanwhile` runs whenever the wait is interrupted by a poll timeout (to drain other pipes).
    /// `extend`, asked when `deadline` passes, may move it later (the grader's processor-time
    /// limit on a loaded machine); `nil` or an earlier time ends the wait with `timedOut`.
    public func receive(deadline: Double? = nil, alsoWatching other: CInt? = nil,
                        onReadable: ((CInt) -> Void)? = nil, extend: (() -> Double?)? = nil) throws -> Frame {
        var deadline = deadline
        let prefix = try read(4, deadline: &deadline, other: other, onReadable: onReadable, extend: extend)
        let length = prefix.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length <= Wire.maximumFrame else { throw ChannelError.malformed("a message of \(length) bytes") }
        return try Wire.frame(from: try read(length, deadline: &deadline, other: other, onReadable: onReadable, extend: extend))
    }

    private func read(_ count: Int, deadline: inout Double?, other: CInt?, onReadable: ((CInt) -> Void)?,
                      extend: (() -> Double?)?) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0)]
            if let other { fds.append(pollfd(fd: other, events: Int16(POLLIN), revents: 0)) }
            var wait: Int32 = -1
            if let current = deadline {
                var left = current - Date().timeIntervalSince1970
                if left <= 0, let later = extend?(), later > current {
                    deadline = later
                    left = later - Date().timeIntervalSince1970
                }
                if left <= 0 { throw ChannelError.timedOut }
                wait = Int32(min(left * 1000 + 1, 1000))
            }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 { if errno == EINTR { continue }; throw ChannelError.closed }
            if fds.count > 1, fds[1].revents != 0 { onReadable?(fds[1].fd) }
            guard fds[0].revents != 0 else { continue }
            let n = buffer[filled...].withUnsafeMutableBytes { systemRead(input, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else { throw ChannelError.closed }
            filled += n
        }
        return buffer
    }
}

private func systemRead(_ fd: CInt, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}
