// The runner's side: read calls, run the student's function, answer. Used only by `grade-runner`.
import CSandbox
import Foundation
import WorkbookCore
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// One call as the runner sees it: the arguments, decoded on demand as the function's types.
public struct IncomingCall {
    let frame: Frame
    let channel: Channel

    /// Argument `index`, decoded as `T`.
    public func argument<T: Decodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard index < frame.values.count else { throw ChannelError.malformed("argument \(index) is missing") }
        return try Wire.decode(T.self, from: frame.values[index])
    }

    /// Closure argument `index` as a function that asks the grader for each value.
    public func closure<Argument: Encodable, Value: Decodable>(_ index: Int, from: Argument.Type, to: Value.Type) -> (Argument) throws -> Value {
        { [frame, channel] x in
            let sequence = frame.header.sequence
            try channel.send(Frame(FrameHeader(kind: .evaluate, sequence: sequence, closure: index), values: [try Wire.encode(x)]))
            let answer = try channel.receive()
            guard answer.header.sequence == sequence else { throw ChannelError.malformed("an answer to another call") }
            switch answer.header.kind {
            case .evaluated:
                guard let value = answer.values.first else { throw ChannelError.malformed("an empty value") }
                return try Wire.decode(Value.self, from: value)
            case .evaluationFailed:
                throw answer.header.error?.rebuilt ?? ChannelError.malformed("a failed evaluation without its error")
            default:
                throw ChannelError.malformed("a \(answer.header.kind) frame while evaluating a closure")
            }
        }
    }
}

/// Encodes one value for a reply.
public func wired<T: Encodable>(_ value: T) throws -> Data { try Wire.encode(value) }

/// Serves calls on descriptors 3 (in) and 4 (out) until the grader closes the channel, then exits.
public func serve(_ functions: [String: @Sendable (IncomingCall) throws -> [Data]]) -> Never {
    workbook_line_buffered_output()   // a student's print reaches the grader even if a trap follows
    let channel = Channel(input: 3, output: 4)
    while true {
        let frame: Frame
        do { frame = try channel.receive() } catch { exit(0) }
        let sequence = frame.header.sequence
        let reply: Frame
        if frame.header.kind != .call {
            reply = Frame(FrameHeader(kind: .threw, sequence: sequence,
                                      error: ThrownError(kind: "ChannelError", payload: nil, description: "expected a call")))
        } else if let name = frame.header.function, let function = functions[name] {
            do {
                reply = Frame(FrameHeader(kind: .returned, sequence: sequence), values: try function(IncomingCall(frame: frame, channel: channel)))
            } catch {
                reply = Frame(FrameHeader(kind: .threw, sequence: sequence, error: ThrownError(error)))
            }
        } else {
            reply = Frame(FrameHeader(kind: .threw, sequence: sequence, error: ThrownError(
                kind: "ChannelError", payload: nil, description: "this runner has no function \(frame.header.function ?? "?")")))
        }
        workbook_flush_output()
        do { try channel.send(reply) } catch { exit(0) }
    }
}
