import Foundation

// A strict reader for the JSON header of a safetensors file, written for what Foundation's
// JSONSerialization cannot say: it keeps every key of an object in order (so a name given twice is
// found, not silently replaced by the last one), keeps numbers as written (so `64.9` or
// `18446744073709551621` is quoted as it stands, not truncated to 64 or wrapped to 5), and reports
// the byte offset of the first thing it cannot parse.
//
// The grammar is RFC 8259's. Depth is limited (a header of a million `[` would overflow the stack).

/// One JSON value, numbers kept as their text.
indirect enum HeaderJSON: Equatable {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (a: HeaderJSON, b: HeaderJSON) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)): x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        case let (.array(x), .array(y)): x == y
        case let (.string(x), .string(y)), let (.number(x), .number(y)): x == y
        case let (.bool(x), .bool(y)): x == y
        case (.null, .null): true
        default: false
        }
    }

    /// What the value is, for messages: `the number 64.9`, `a string`, `an object`.
    var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case let .number(text): "the number \(excerpt(text))"
        case let .bool(value): "\(value)"
        case .null: "null"
        }
    }

    /// The value as a non-negative integer that fits an `Int`, written without a fraction or an
    /// exponent (`64`, not `64.0`, `6.4e1` or `64.9`); `nil` otherwise.
    var nonNegativeInteger: Int? {
        guard case let .number(text) = self, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }

    /// A parse error: the byte offset (from the start of the parsed bytes) and what was expected.
    struct ParseError: Error {
        var offset: Int
        var problem: String
    }

    static let maxDepth = 64

    /// Parses exactly one JSON value from `bytes`, allowing surrounding white space.
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> HeaderJSON {
        var parser = Parser(bytes: Array(bytes))
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.at == parser.bytes.count else { throw ParseError(offset: parser.at, problem: "unexpected text after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[at]) { at += 1 }
        }

        func fail(_ problem: String) -> ParseError { ParseError(offset: at, problem: problem) }

        mutating func expect(_ byte: UInt8, _ what: String) throws {
            guard at < bytes.count, bytes[at] == byte else { throw fail("expected \(what)") }
            at += 1
        }

        mutating func value(depth: Int) throws -> HeaderJSON {
            guard depth < HeaderJSON.maxDepth else { throw fail("nested deeper than \(HeaderJSON.maxDepth) levels") }
            guard at < bytes.count else { throw fail("expected a value, found the end of the header") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var members: [(key: String, value: HeaderJSON)] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
                    let key = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"), "':' after a key")
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    if at < bytes.count, bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    try expect(UInt8(ascii: "}"), "',' or '}' in an object")
                    return .object(members)
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [HeaderJSON] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    if at < bytes.count, bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    try expect(UInt8(ascii: "]"), "',' or ']' in an array")
                    return .array(items)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                for (word, result) in [("true", HeaderJSON.bool(true)), ("false", .bool(false)), ("null", .null)] {
                    let utf8 = Array(word.utf8)
                    if at + utf8.count <= bytes.count, Array(bytes[at..<(at + utf8.count)]) == utf8 {
                        at += utf8.count
                        return result
                    }
                }
                throw fail("expected a value")
            default:
                return .number(try number())
            }
        }

        /// A number as written, checked against JSON's grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?
        mutating func number() throws -> String {
            let start = at
            func digits() -> Int {
                let from = at
                while at < bytes.count, (48...57).contains(bytes[at]) { at += 1 }
                return at - from
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
            let integer = at
            guard digits() > 0 else { at = start; throw fail("expected a value") }
            if bytes[integer] == 48, at - integer > 1 { at = integer; throw fail("a number with a leading zero") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                guard digits() > 0 else { throw fail("expected digits after '.'") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                guard digits() > 0 else { throw fail("expected digits in the exponent") }
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        /// A quoted string, escapes decoded; the bytes must be UTF-8.
        mutating func string() throws -> String {
            try expect(UInt8(ascii: "\""), "'\"'")
            var scalars = String.UnicodeScalarView()
            var run = at
            func flush(_ end: Int) throws {
                guard let text = String(validating: bytes[run..<end], as: UTF8.self) else {
                    at = run
                    throw fail("a string that is not UTF-8")
                }
                scalars.append(contentsOf: text.unicodeScalars)
            }
            while true {
                guard at < bytes.count else { throw fail("a string without its closing quote") }
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") {
                    try flush(at)
                    at += 1
                    return String(scalars)
                }
                if byte < 0x20 { throw fail("a control character inside a string") }
                if byte != UInt8(ascii: "\\") { at += 1; continue }
                try flush(at)
                at += 1
                guard at < bytes.count else { throw fail("a string without its closing quote") }
                let escape = bytes[at]
                at += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{c}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                            throw fail("a lone UTF-16 surrogate in a \\u escape")
                        }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone UTF-16 surrogate in a \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("a lone UTF-16 surrogate in a \\u escape") }
                    scalars.append(scalar)
                default:
                    at -= 1
                    throw fail("an unknown escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
                run = at
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard at + 4 <= bytes.count else { throw fail("a \\u escape needs four hexadecimal digits") }
            guard let code = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16),
                  bytes[at..<(at + 4)].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") }) else {
                throw fail("a \\u escape needs four hexadecimal digits")
            }
            at += 4
            return code
        }
    }
}
