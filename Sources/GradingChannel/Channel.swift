// The wire between the grader and the process that runs a student's code.
//
// The grader (the graded tests, which never link or run student code) sends a request: call this
// exercise function with these arguments. The runner (`grade-runner`, which links the student's
// module and nothing of the tests) calls it and answers with what the function returned or threw.
// When an argument is a closure (a gradient check's `f`), the runner asks the grader to evaluate
// it, and the grader answers, until the call's own reply comes.
//
// A frame is a 4-byte little-endian length, then that many bytes: a JSON header, then the
// values, each JSON-encoded with its own 4-byte length. Everything the runner sends is only a
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
    /// The workbook error's own fields, JSON-encoded, for the four kinds above.
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
    /// JSON-encoded values.
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
    /// The bytes are not a frame: too long, cut short, or not the expected JSON.
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

/// JSON with non-finite numbers spelled out (a wrong answer may well be NaN).
public enum Wire {
    /// The largest frame either side accepts: far above any graded test's tensors.
    public static let maximumFrame = 64 << 20

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }

    /// The bytes of one frame, length prefix included.
    public static func bytes(of frame: Frame) throws -> [UInt8] {
        var body: [UInt8] = []
        func append(_ data: Data) {
            withUnsafeBytes(of: UInt32(data.count).littleEndian) { body.append(contentsOf: $0) }
            body.append(contentsOf: data)
        }
        append(try encode(frame.header))
        frame.values.forEach(append)
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 4)
        withUnsafeBytes(of: UInt32(body.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: body)
        return out
    }

    /// Parses a frame's body (without its length prefix).
    public static func frame(from body: [UInt8]) throws -> Frame {
        var offset = 0
        func next() throws -> Data {
            guard body.count - offset >= 4 else { throw ChannelError.malformed("a value's length is cut short") }
            let length = body[offset..<offset + 4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            offset += 4
            guard length <= body.count - offset else { throw ChannelError.malformed("a value is cut short") }
            defer { offset += length }
            return Data(body[offset..<offset + length])
        }
        let header: FrameHeader
        do { header = try decode(FrameHeader.self, from: try next()) } catch let error as ChannelError { throw error } catch {
            throw ChannelError.malformed("the header is not the grader's JSON")
        }
        var values: [Data] = []
        while offset < body.count { values.append(try next()) }
        return Frame(header, values: values)
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
