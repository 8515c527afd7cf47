/// One option of a subcommand: its name, the placeholder of its value (none for a flag), its default
/// and its help, written once side by side so the help text and the parser cannot disagree.
public struct Option: Sendable {
    public var name: String
    public var placeholder: String?
    public var defaultValue: String?
    public var help: String
    /// Whether an empty value means something (`--hidden ""`: no hidden layers). Otherwise an empty
    /// value is refused: an empty path would name the root folder (`"" + "/x.svg"`) or nothing.
    public var allowsEmpty = false

    /// An option taking a value: `--epochs <n>`.
    public static func value(_ name: String, _ placeholder: String, default defaultValue: String? = nil, _ help: String) -> Option {
        Option(name: name, placeholder: placeholder, defaultValue: defaultValue, help: help)
    }

    /// The same option, with an empty value allowed.
    public func allowingEmpty() -> Option {
        var option = self
        option.allowsEmpty = true
        return option
    }

    /// A flag: `--no-progress`.
    public static func flag(_ name: String, _ help: String) -> Option {
        Option(name: name, placeholder: nil, defaultValue: nil, help: help)
    }
}

/// A subcommand: what it does, its options and the work it runs once they parse.
public struct Command: Sendable {
    public var name: String
    public var abstract: String
    public var discussion: String
    public var options: [Option]
    public var run: @Sendable (ParsedOptions, Console) throws -> Void
    /// Printed after the options (the trainer's limits).
    public var epilogue: String = ""

    public var usage: String { "\(Trainer.toolName) \(name) [<options>]" }

    /// The `--help` text.
    public var help: String {
        var lines = ["OVERVIEW: \(abstract)", ""]
        if !discussion.isEmpty { lines += [discussion, ""] }
        lines += ["USAGE: \(usage)", "", "OPTIONS:"]
        let rows = options.map { option -> (String, String) in
            let left = "--\(option.name)" + (option.placeholder.map { " <\($0)>" } ?? "")
            let right = option.help + (option.defaultValue.map { " (default: \($0))" } ?? "")
            return (left, right)
        } + [("-h, --help", "Show help information.")]
        let width = (rows.map(\.0.count).max() ?? 0) + 2
        for (left, right) in rows {
            lines.append("  " + left + String(repeating: " ", count: width - left.count) + right)
        }
        if !epilogue.isEmpty { lines += ["", epilogue] }
        return lines.joined(separator: "\n")
    }

    /// Whether `--help` or `-h` stands where an option's name belongs, not as another option's
    /// value (`--out -h` names a folder, as the parser reads it).
    public func asksForHelp(_ arguments: [String]) -> Bool {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--help" || argument == "-h" { return true }
            if argument.hasPrefix("--"), !argument.contains("="),
               let option = options.first(where: { "--" + $0.name == argument }), option.placeholder != nil,
               index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") {
                index += 1   // the option's value
            }
            index += 1
        }
        return false
    }

    /// Reads `--name value`, `--name=value` and flags; anything else is a usage error, and so is an
    /// empty value (unless the option allows one) and a value option given twice (which of the two
    /// was meant is a guess; a flag may repeat, it says the same thing twice).
    public func parse(_ arguments: [String]) throws -> ParsedOptions {
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var given: Set<String> = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw UsageError("unexpected argument '\(excerpt(argument))'")
            }
            var name = String(argument.dropFirst(2))
            var inline: String?
            if let equals = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                throw UsageError("unknown option '--\(excerpt(name))'")
            }
            if option.placeholder == nil {
                if inline != nil { throw UsageError("the flag '--\(name)' takes no value") }
                flags.insert(name)
            } else {
                let value: String
                if let inline {
                    value = inline
                } else {
                    guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                        throw UsageError("missing value for '--\(name) <\(option.placeholder!)>'")
                    }
                    index += 1
                    value = arguments[index]
                }
                if value.isEmpty && !option.allowsEmpty {
                    throw UsageError("'--\(name) <\(option.placeholder!)>' is empty; give a value (see --help)")
                }
                if let earlier = values[name] {
                    throw UsageError("'--\(name)' is given twice ('\(excerpt(earlier))', then '\(excerpt(value))'); give it once")
                }
                values[name] = value
                given.insert(name)
            }
            index += 1
        }
        for option in options where option.placeholder != nil && values[option.name] == nil {
            values[option.name] = option.defaultValue
        }
        return ParsedOptions(command: name, values: values, flags: flags, given: given)
    }
}

/// The options of one invocation, with typed accessors that reject bad values as usage errors.
public struct ParsedOptions: Sendable {
    public var command: String
    public var values: [String: String]
    public var flags: Set<String>
    /// The value options written on the command line (the others hold their defaults).
    public var given: Set<String> = []

    public func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// The value of an option, or `nil` when it has no default and was not given.
    public func optionalString(_ name: String) -> String? { values[name] }

    public func string(_ name: String) throws -> String {
        guard let value = values[name] else { throw UsageError("missing required option '--\(name)'") }
        return value
    }

    /// An integer in `minimum...maximum` (the stated limits, see ``Limits``).
    public func int(_ name: String, atLeast minimum: Int = Int.min, atMost maximum: Int = Int.max) throws -> Int {
        let text = try string(name)
        guard let value = Int(text), value >= minimum, value <= maximum else {
            let range = maximum < Int.max ? " in \(minimum)...\(maximum)" : (minimum > Int.min ? " ≥ \(minimum)" : "")
            throw UsageError("'--\(name)' needs an integer\(range), got '\(excerpt(text))'")
        }
        return value
    }

    public func double(_ name: String, in range: ClosedRange<Double> = -Double.infinity...Double.infinity) throws -> Double {
        let text = try string(name)
        guard let value = decimalNumber(text), value.isFinite, range.contains(value) else {
            throw UsageError("'--\(name)' needs a number in \(range.lowerBound)...\(range.upperBound), got '\(excerpt(text))'")
        }
        return value
    }

    /// A number in `(lowerBound, upperBound]`: above `lowerBound` (a learning rate of 0 never
    /// trains, a decay of 0 stops it after one epoch), at most `upperBound`.
    public func double(_ name: String, above lowerBound: Double, atMost upperBound: Double) throws -> Double {
        let text = try string(name)
        guard let value = decimalNumber(text), value.isFinite, value > lowerBound, value <= upperBound else {
            throw UsageError("'--\(name)' needs a number above \(lowerBound) and at most \(upperBound), got '\(excerpt(text))'")
        }
        return value
    }

    /// An unsigned 64-bit integer, 0...18446744073709551615 (seeds are stored unsigned).
    public func uint64(_ name: String) throws -> UInt64 {
        let text = try string(name)
        guard let value = UInt64(text) else {
            throw UsageError("'--\(name)' needs an integer in 0...\(UInt64.max), got '\(excerpt(text))'")
        }
        return value
    }

    /// One of a fixed set of words.
    public func choice(_ name: String, _ allowed: [String]) throws -> String {
        let text = try string(name)
        guard allowed.contains(text) else {
            throw UsageError("'--\(name)' must be one of \(allowed.joined(separator: ", ")), got '\(excerpt(text))'")
        }
        return text
    }

    /// A comma-separated list of integers, such as `--hidden 256,256`, each in `1...maximum`,
    /// at most `maxCount` of them.
    public func ints(_ name: String, atMost maximum: Int = Int.max, maxCount: Int = Int.max) throws -> [Int] {
        let text = try string(name)
        if text.isEmpty { return [] }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count <= maxCount, parts.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= maximum }) else {
            throw UsageError("'--\(name)' needs at most \(maxCount) integers in 1...\(maximum) separated by commas, got '\(excerpt(text))'")
        }
        return parts.map { $0! }
    }

    public func doubles(_ name: String) throws -> [Double] {
        let text = try string(name)
        let parts = text.split(separator: ",").map { decimalNumber($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0?.isFinite == true }) else {
            throw UsageError("'--\(name)' needs numbers separated by commas, got '\(excerpt(text))'")
        }
        return parts.map { $0! }
    }
}

import Foundation

/// `text` as a number if it is written in decimal (digits, sign, point, exponent), else nil.
/// Swift's `Double("0x1p-3")` reads hexadecimal (0.125): no user means that by a learning rate, and
/// the CSV reader refuses it too (``DataLoader/csv(text:name:)``).
func decimalNumber(_ text: some StringProtocol) -> Double? {
    guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-")
        || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else { return nil }
    return Double(String(text))
}
