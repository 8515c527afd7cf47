// The wire's value format: a small binary Codable encoding, so that every value the generated
// proxies send or receive (tensors, caches, networks, errors) crosses without printing and parsing
// its doubles as text. The call sites do not change: `Wire.encode`/`Wire.decode` use it.
//
// A value is a tag byte and its payload, little-endian throughout:
//
//     0 nil   1 false   2 true
//     3 signed integer (8 bytes)   4 unsigned integer (8 bytes)
//     5 Double (its 8-byte bit pattern)   6 Float (its 4-byte bit pattern)
//     7 string: byte count (4 bytes), UTF-8
//     8 unkeyed container: element count (4), byte length of the elements (4), the elements
//     9 keyed container: entry count (4), byte length of the entries (4), then per entry the
//       key (byte count (4), UTF-8) and its value
//    10 [Double] in bulk: count (4), then count × 8 bytes of bit patterns (one copy each way)
//    11 [Int] in bulk: count (4), then count × 8 bytes
//
// Doubles cross as their bit patterns, so NaN payloads, -0, subnormals and infinities come back
// bit for bit. The decoder reads what a hostile runner sends: every count and length is checked
// against the bytes actually present before anything is allocated or read (an element takes at
// least one byte, a bulk double eight), containers nest at most `maximumDepth` deep, and any
// violation is a `DecodingError`, never a trap.
import Foundation

/// Encodes an `Encodable` value in the wire's binary format.
public enum BinaryEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        try BinaryNode.make(value, codingPath: []).write(to: &out)
        return out
    }
}

/// Decodes a value of the wire's binary format as a given `Decodable` type.
public enum BinaryDecoder {
    /// Containers deeper than this are refused (a recursive type such as `LayerDescription` could
    /// otherwise be made to recurse until the stack runs out).
    public static let maximumDepth = 128

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let reader = BinaryReader(bytes)
        let end = try reader.skip(0, limit: bytes.count, depth: 0)
        guard end == bytes.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(bytes.count - end) bytes after the value"))
        }
        return try reader.value(T.self, at: 0, codingPath: [], depth: 0)
    }
}

// MARK: - Tags

enum BinaryTag: UInt8 {
    case null = 0, no = 1, yes = 2, signed = 3, unsigned = 4, double = 5, float = 6, string = 7
    case unkeyed = 8, keyed = 9, doubles = 10, integers = 11
}

// MARK: - Encoding: a tree of nodes, written once the value is complete

/// Holds a container's contents by reference, so that nested containers fill it in place.
final class BinaryUnkeyed { var items: [BinaryNode] = [] }
final class BinaryKeyed { var keys: [String] = []; var values: [BinaryNode] = [] }
/// A value encoded later (`superEncoder`).
final class BinarySlot { var node: BinaryNode = .null }

enum BinaryNode {
    case null, bool(Bool), signed(Int64), unsigned(UInt64), double(Double), float(Float), string(String)
    case doubles([Double]), integers([Int])
    case unkeyed(BinaryUnkeyed), keyed(BinaryKeyed), slot(BinarySlot)

    /// The node of one value: the bulk and scalar types directly, anything else through its
    /// `encode(to:)` (an encoder that makes no container encodes an empty keyed one, as JSON's `{}`).
    static func make<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> BinaryNode {
        if T.self == [Double].self { return .doubles(unsafeBitCast(value, to: [Double].self)) }
        if T.self == [Int].self { return .integers(unsafeBitCast(value, to: [Int].self)) }
        if T.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
        if T.self == Int.self { return .signed(Int64(unsafeBitCast(value, to: Int.self))) }
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
        let encoder = BinaryValueEncoder(codingPath: codingPath)
        try value.encode(to: encoder)
        return encoder.node ?? .keyed(BinaryKeyed())
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(BinaryTag.null.rawValue)
        case .bool(let value): out.append(value ? BinaryTag.yes.rawValue : BinaryTag.no.rawValue)
        case .signed(let value): out.append(BinaryTag.signed.rawValue); out.appendWord(UInt64(bitPattern: value))
        case .unsigned(let value): out.append(BinaryTag.unsigned.rawValue); out.appendWord(value)
        case .double(let value): out.append(BinaryTag.double.rawValue); out.appendWord(value.bitPattern)
        case .float(let value):
            out.append(BinaryTag.float.rawValue)
            withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        case .string(let value):
            out.append(BinaryTag.string.rawValue)
            var value = value
            value.withUTF8 { utf8 in
                out.appendCount(utf8.count)
                out.append(contentsOf: utf8)
            }
        case .doubles(let values):
            out.append(BinaryTag.doubles.rawValue)
            out.appendCount(values.count)
            out.appendBulk(values)
        case .integers(let values):
            out.append(BinaryTag.integers.rawValue)
            out.appendCount(values.count)
            out.appendBulk(values.map { Int64($0) })
        case .unkeyed(let container):
            out.append(BinaryTag.unkeyed.rawValue)
            out.appendCount(container.items.count)
            let patch = out.count
            out.appendCount(0)
            for item in container.items { item.write(to: &out) }
            out.patchCount(at: patch, out.count - patch - 4)
        case .keyed(let container):
            out.append(BinaryTag.keyed.rawValue)
            out.appendCount(container.keys.count)
            let patch = out.count
            out.appendCount(0)
            for (key, value) in zip(container.keys, container.values) {
                BinaryNode.string(key).writeUntagged(to: &out)
                value.write(to: &out)
            }
            out.patchCount(at: patch, out.count - patch - 4)
        case .slot(let slot): slot.node.write(to: &out)
        }
    }

    /// A key: a string without its tag.
    private func writeUntagged(to out: inout [UInt8]) {
        guard case .string(var key) = self else { return }
        key.withUTF8 { utf8 in
            out.appendCount(utf8.count)
            out.append(contentsOf: utf8)
        }
    }
}

extension [UInt8] {
    mutating func appendWord(_ word: UInt64) {
        Swift.withUnsafeBytes(of: word.littleEndian) { append(contentsOf: $0) }
    }

    /// A count or length: 4 bytes. Frames are capped far below 4 GB, so a larger one cannot occur
    /// in a frame that is sent; it is written saturated and the receiver refuses it.
    mutating func appendCount(_ count: Int) {
        Swift.withUnsafeBytes(of: UInt32(clamping: count).littleEndian) { append(contentsOf: $0) }
    }

    mutating func patchCount(at index: Int, _ count: Int) {
        let value = UInt32(clamping: count)
        for byte in 0..<4 { self[index + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(byte))) }
    }

    /// Eight-byte elements as they lie in memory (little-endian on every platform Swift grades on).
    mutating func appendBulk<Word: FixedWidthInteger>(_ values: [Word]) {
        values.withUnsafeBytes { append(contentsOf: $0) }
    }

    mutating func appendBulk(_ values: [Double]) {
        values.withUnsafeBytes { append(contentsOf: $0) }
    }
}

final class BinaryValueEncoder: Encoder, SingleValueEncodingContainer {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// What was encoded; a container's storage is shared with the container handed out.
    var node: BinaryNode?

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let storage: BinaryKeyed
        if case .keyed(let existing) = node { storage = existing } else { storage = BinaryKeyed(); node = .keyed(storage) }
        return KeyedEncodingContainer(BinaryKeyedEncoder<Key>(storage: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let storage: BinaryUnkeyed
        if case .unkeyed(let existing) = node { storage = existing } else { storage = BinaryUnkeyed(); node = .unkeyed(storage) }
        return BinaryUnkeyedEncoder(storage: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() throws { node = .null }
    func encode(_ value: Bool) throws { node = .bool(value) }
    func encode(_ value: String) throws { node = .string(value) }
    func encode(_ value: Double) throws { node = .double(value) }
    func encode(_ value: Float) throws { node = .float(value) }
    func encode(_ value: Int) throws { node = .signed(Int64(value)) }
    func encode(_ value: Int8) throws { node = .signed(Int64(value)) }
    func encode(_ value: Int16) throws { node = .signed(Int64(value)) }
    func encode(_ value: Int32) throws { node = .signed(Int64(value)) }
    func encode(_ value: Int64) throws { node = .signed(value) }
    func encode(_ value: UInt) throws { node = .unsigned(UInt64(value)) }
    func encode(_ value: UInt8) throws { node = .unsigned(UInt64(value)) }
    func encode(_ value: UInt16) throws { node = .unsigned(UInt64(value)) }
    func encode(_ value: UInt32) throws { node = .unsigned(UInt64(value)) }
    func encode(_ value: UInt64) throws { node = .unsigned(value) }
    func encode<T: Encodable>(_ value: T) throws { node = try BinaryNode.make(value, codingPath: codingPath) }
}

struct BinaryKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: BinaryKeyed
    let codingPath: [any CodingKey]

    private func put(_ node: BinaryNode, _ key: Key) {
        storage.keys.append(key.stringValue)
        storage.values.append(node)
    }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(.float(value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.signed(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.signed(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(.unsigned(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(try BinaryNode.make(value, codingPath: codingPath + [key]), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = BinaryKeyed()
        put(.keyed(nested), key)
        return KeyedEncodingContainer(BinaryKeyedEncoder<NestedKey>(storage: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = BinaryUnkeyed()
        put(.unkeyed(nested), key)
        return BinaryUnkeyedEncoder(storage: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let slot = BinarySlot()
        put(.slot(slot), key)
        return BinarySlotEncoder(slot: slot, codingPath: codingPath + [key])
    }
}

struct BinaryUnkeyedEncoder: UnkeyedEncodingContainer {
    let storage: BinaryUnkeyed
    let codingPath: [any CodingKey]
    var count: Int { storage.items.count }

    private var index: any CodingKey { BinaryIndexKey(count) }

    mutating func encodeNil() throws { storage.items.append(.null) }
    mutating func encode(_ value: Bool) throws { storage.items.append(.bool(value)) }
    mutating func encode(_ value: String) throws { storage.items.append(.string(value)) }
    mutating func encode(_ value: Double) throws { storage.items.append(.double(value)) }
    mutating func encode(_ value: Float) throws { storage.items.append(.float(value)) }
    mutating func encode(_ value: Int) throws { storage.items.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { storage.items.append(.signed(value)) }
    mutating func encode(_ value: UInt64) throws { storage.items.append(.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        storage.items.append(try BinaryNode.make(value, codingPath: codingPath + [index]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = BinaryKeyed()
        let path = codingPath + [index]
        storage.items.append(.keyed(nested))
        return KeyedEncodingContainer(BinaryKeyedEncoder<NestedKey>(storage: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = BinaryUnkeyed()
        let path = codingPath + [index]
        storage.items.append(.unkeyed(nested))
        return BinaryUnkeyedEncoder(storage: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let slot = BinarySlot()
        let path = codingPath + [index]
        storage.items.append(.slot(slot))
        return BinarySlotEncoder(slot: slot, codingPath: path)
    }
}

/// The encoder `superEncoder` hands out: what it encodes lands in its slot.
final class BinarySlotEncoder: Encoder {
    let slot: BinarySlot
    let inner: BinaryValueEncoder
    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(slot: BinarySlot, codingPath: [any CodingKey]) {
        self.slot = slot
        inner = BinaryValueEncoder(codingPath: codingPath)
        slot.node = .keyed(BinaryKeyed())
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        defer { slot.node = inner.node ?? .null }
        return inner.container(keyedBy: type)
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        defer { slot.node = inner.node ?? .null }
        return inner.unkeyedContainer()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { BinarySlotSingleValue(slot: slot, codingPath: codingPath) }
}

/// A single value written straight into a slot.
struct BinarySlotSingleValue: SingleValueEncodingContainer {
    let slot: BinarySlot
    let codingPath: [any CodingKey]
    mutating func encodeNil() throws { slot.node = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { slot.node = try BinaryNode.make(value, codingPath: codingPath) }
}

struct BinaryIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

// MARK: - Decoding: reads in place, every count checked against the bytes present

final class BinaryReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func corrupt(_ path: [any CodingKey], _ what: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: what))
    }

    /// A 4-byte count at `offset`, which must lie before `limit`.
    func count(at offset: Int, limit: Int) throws -> Int {
        guard offset >= 0, limit - offset >= 4, limit <= bytes.count else {
            throw corrupt([], "a count is cut short at byte \(offset)")
        }
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
    }

    func word(at offset: Int, limit: Int) throws -> UInt64 {
        guard offset >= 0, limit - offset >= 8, limit <= bytes.count else {
            throw corrupt([], "a number is cut short at byte \(offset)")
        }
        var word: UInt64 = 0
        for byte in 0..<8 { word |= UInt64(bytes[offset + byte]) << (8 * UInt64(byte)) }
        return word
    }

    func tag(at offset: Int, limit: Int) throws -> BinaryTag {
        guard offset >= 0, offset < limit, limit <= bytes.count else { throw corrupt([], "a value is missing at byte \(offset)") }
        guard let tag = BinaryTag(rawValue: bytes[offset]) else { throw corrupt([], "an unknown tag \(bytes[offset]) at byte \(offset)") }
        return tag
    }

    /// Where the value at `offset` ends, checking that it fits before `limit` (and its containers
    /// in their stated lengths), without decoding it.
    func skip(_ offset: Int, limit: Int, depth: Int) throws -> Int {
        guard depth <= BinaryDecoder.maximumDepth else { throw corrupt([], "containers nested deeper than \(BinaryDecoder.maximumDepth)") }
        let body = offset + 1
        switch try tag(at: offset, limit: limit) {
        case .null, .no, .yes: return body
        case .signed, .unsigned, .double:
            guard limit - body >= 8 else { throw corrupt([], "a number is cut short at byte \(offset)") }
            return body + 8
        case .float:
            guard limit - body >= 4 else { throw corrupt([], "a number is cut short at byte \(offset)") }
            return body + 4
        case .string:
            let length = try count(at: body, limit: limit)
            guard length <= limit - body - 4 else { throw corrupt([], "a string of \(length) bytes is cut short at byte \(offset)") }
            return body + 4 + length
        case .doubles, .integers:
            let count = try count(at: body, limit: limit)
            guard count <= (limit - body - 4) / 8 else { throw corrupt([], "\(count) numbers do not fit in the bytes left at byte \(offset)") }
            return body + 4 + 8 * count
        case .unkeyed, .keyed:
            let (count, start, end) = try containerBounds(offset, limit: limit)
            var position = start
            for _ in 0..<count {
                if bytes[offset] == BinaryTag.keyed.rawValue { position = try skipKey(position, limit: end) }
                position = try skip(position, limit: end, depth: depth + 1)
            }
            guard position == end else { throw corrupt([], "a container's length disagrees with its elements at byte \(offset)") }
            return end
        }
    }

    /// A container's element count and the range of its elements, checked: the length fits before
    /// `limit` and the count is at most the length (every element takes at least one byte).
    func containerBounds(_ offset: Int, limit: Int) throws -> (count: Int, start: Int, end: Int) {
        let count = try count(at: offset + 1, limit: limit)
        let length = try self.count(at: offset + 5, limit: limit)
        let start = offset + 9
        guard length <= limit - start, count <= length else {
            throw corrupt([], "a container of \(count) elements in \(length) bytes does not fit at byte \(offset)")
        }
        return (count, start, start + length)
    }

    func skipKey(_ offset: Int, limit: Int) throws -> Int {
        let length = try count(at: offset, limit: limit)
        guard length <= limit - offset - 4 else { throw corrupt([], "a key is cut short at byte \(offset)") }
        return offset + 4 + length
    }

    func string(at offset: Int, length: Int) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[offset..<offset + length]), as: UTF8.self) }
    }

    /// Decodes the value at `offset` (already checked by `skip`) as `T`.
    func value<T: Decodable>(_ type: T.Type, at offset: Int, codingPath: [any CodingKey], depth: Int) throws -> T {
        if T.self == [Double].self { return unsafeBitCast(try doubles(at: offset, codingPath: codingPath, depth: depth), to: T.self) }
        if T.self == [Int].self { return unsafeBitCast(try integers(at: offset, codingPath: codingPath, depth: depth), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(at: offset, codingPath: codingPath), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(Int.self, at: offset, codingPath: codingPath), to: T.self) }
        if T.self == String.self { return unsafeBitCast(try string(at: offset, codingPath: codingPath), to: T.self) }
        guard depth <= BinaryDecoder.maximumDepth else { throw corrupt(codingPath, "containers nested deeper than \(BinaryDecoder.maximumDepth)") }
        return try T(from: BinaryValueDecoder(reader: self, offset: offset, codingPath: codingPath, depth: depth + 1))
    }

    func doubles(at offset: Int, codingPath: [any CodingKey], depth: Int) throws -> [Double] {
        let tag = try tag(at: offset, limit: bytes.count)
        if tag == .unkeyed {   // also accepted element by element
            var container = try BinaryUnkeyedDecoder(reader: self, offset: offset, codingPath: codingPath, depth: depth + 1)
            var values: [Double] = []
            while !container.isAtEnd { values.append(try container.decode(Double.self)) }
            return values
        }
        guard tag == .doubles else { throw mismatch([Double].self, tag, codingPath) }
        let count = try count(at: offset + 1, limit: bytes.count)
        let start = offset + 5
        guard count <= (bytes.count - start) / 8 else { throw corrupt(codingPath, "\(count) doubles do not fit") }
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<start + 8 * count]))
            }
            initialized = count
        }
    }

    func integers(at offset: Int, codingPath: [any CodingKey], depth: Int) throws -> [Int] {
        let tag = try tag(at: offset, limit: bytes.count)
        if tag == .unkeyed {
            var container = try BinaryUnkeyedDecoder(reader: self, offset: offset, codingPath: codingPath, depth: depth + 1)
            var values: [Int] = []
            while !container.isAtEnd { values.append(try container.decode(Int.self)) }
            return values
        }
        guard tag == .integers else { throw mismatch([Int].self, tag, codingPath) }
        let count = try count(at: offset + 1, limit: bytes.count)
        let start = offset + 5
        guard count <= (bytes.count - start) / 8 else { throw corrupt(codingPath, "\(count) integers do not fit") }
        return try (0..<count).map { Int(truncatingIfNeeded: Int64(bitPattern: try word(at: start + 8 * $0, limit: bytes.count))) }
    }

    func double(at offset: Int, codingPath: [any CodingKey]) throws -> Double {
        let tag = try tag(at: offset, limit: bytes.count)
        guard tag == .double else { throw mismatch(Double.self, tag, codingPath) }
        return Double(bitPattern: try word(at: offset + 1, limit: bytes.count))
    }

    func float(at offset: Int, codingPath: [any CodingKey]) throws -> Float {
        let tag = try tag(at: offset, limit: bytes.count)
        guard tag == .float else { throw mismatch(Float.self, tag, codingPath) }
        let word = try count(at: offset + 1, limit: bytes.count)
        return Float(bitPattern: UInt32(truncatingIfNeeded: word))
    }

    func bool(at offset: Int, codingPath: [any CodingKey]) throws -> Bool {
        switch try tag(at: offset, limit: bytes.count) {
        case .yes: return true
        case .no: return false
        case let tag: throw mismatch(Bool.self, tag, codingPath)
        }
    }

    func string(at offset: Int, codingPath: [any CodingKey]) throws -> String {
        let tag = try tag(at: offset, limit: bytes.count)
        guard tag == .string else { throw mismatch(String.self, tag, codingPath) }
        let length = try count(at: offset + 1, limit: bytes.count)
        guard length <= bytes.count - offset - 5 else { throw corrupt(codingPath, "a string is cut short") }
        return string(at: offset + 5, length: length)
    }

    /// Any integer type, refusing a value it cannot hold.
    func integer<I: FixedWidthInteger>(_ type: I.Type, at offset: Int, codingPath: [any CodingKey]) throws -> I {
        let tag = try tag(at: offset, limit: bytes.count)
        let word = try word(at: offset + 1, limit: bytes.count)
        let value: I?
        switch tag {
        case .signed: value = I(exactly: Int64(bitPattern: word))
        case .unsigned: value = I(exactly: word)
        default: throw mismatch(I.self, tag, codingPath)
        }
        guard let value else { throw corrupt(codingPath, "the number does not fit in \(I.self)") }
        return value
    }

    func mismatch(_ type: Any.Type, _ tag: BinaryTag, _ codingPath: [any CodingKey]) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(type), found a value of tag \(tag)"))
    }
}

struct BinaryValueDecoder: Decoder, SingleValueDecodingContainer {
    let reader: BinaryReader
    let offset: Int
    let codingPath: [any CodingKey]
    let depth: Int
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(reader: BinaryReader, offset: Int, codingPath: [any CodingKey], depth: Int) {
        self.reader = reader
        self.offset = offset
        self.codingPath = codingPath
        self.depth = depth
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try BinaryKeyedDecoder<Key>(reader: reader, offset: offset, codingPath: codingPath, depth: depth))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecoder(reader: reader, offset: offset, codingPath: codingPath, depth: depth)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { (try? reader.tag(at: offset, limit: reader.bytes.count)) == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try reader.bool(at: offset, codingPath: codingPath) }
    func decode(_ type: String.Type) throws -> String { try reader.string(at: offset, codingPath: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try reader.double(at: offset, codingPath: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try reader.float(at: offset, codingPath: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.integer(type, at: offset, codingPath: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.value(T.self, at: offset, codingPath: codingPath, depth: depth) }
}

struct BinaryKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: BinaryReader
    let codingPath: [any CodingKey]
    let depth: Int
    /// Each entry's key and where its value starts.
    private let entries: [(key: String, value: Int)]

    init(reader: BinaryReader, offset: Int, codingPath: [any CodingKey], depth: Int) throws {
        let tag = try reader.tag(at: offset, limit: reader.bytes.count)
        guard tag == .keyed else { throw reader.mismatch([String: Any].self, tag, codingPath) }
        let (count, start, end) = try reader.containerBounds(offset, limit: reader.bytes.count)
        var entries: [(key: String, value: Int)] = []
        entries.reserveCapacity(count)
        var position = start
        for _ in 0..<count {
            let length = try reader.count(at: position, limit: end)
            let value = try reader.skipKey(position, limit: end)
            entries.append((reader.string(at: position + 4, length: length), value))
            position = try reader.skip(value, limit: end, depth: depth)
        }
        self.reader = reader
        self.codingPath = codingPath
        self.depth = depth
        self.entries = entries
    }

    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { entries.contains { $0.key == key.stringValue } }

    private func offset(_ key: Key) throws -> Int {
        let name = key.stringValue
        guard let entry = entries.first(where: { $0.key == name }) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for \(name)"))
        }
        return entry.value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try reader.tag(at: try offset(key), limit: reader.bytes.count) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try reader.value(T.self, at: try offset(key), codingPath: codingPath + [key], depth: depth)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try reader.bool(at: try offset(key), codingPath: codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try reader.string(at: try offset(key), codingPath: codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try reader.double(at: try offset(key), codingPath: codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try reader.integer(type, at: try offset(key), codingPath: codingPath + [key]) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(try BinaryKeyedDecoder<NestedKey>(reader: reader, offset: try offset(key), codingPath: codingPath + [key], depth: depth + 1))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecoder(reader: reader, offset: try offset(key), codingPath: codingPath + [key], depth: depth + 1)
    }

    func superDecoder() throws -> any Decoder { try superDecoder(forKey: Key(stringValue: "super")!) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        BinaryValueDecoder(reader: reader, offset: try offset(key), codingPath: codingPath + [key], depth: depth + 1)
    }
}

struct BinaryUnkeyedDecoder: UnkeyedDecodingContainer {
    let reader: BinaryReader
    let codingPath: [any CodingKey]
    let depth: Int
    let count: Int?
    private(set) var currentIndex = 0
    private var position: Int
    private let end: Int

    init(reader: BinaryReader, offset: Int, codingPath: [any CodingKey], depth: Int) throws {
        let tag = try reader.tag(at: offset, limit: reader.bytes.count)
        guard tag == .unkeyed else { throw reader.mismatch([Any].self, tag, codingPath) }
        guard depth <= BinaryDecoder.maximumDepth else { throw reader.corrupt(codingPath, "containers nested too deep") }
        let (count, start, end) = try reader.containerBounds(offset, limit: reader.bytes.count)
        self.reader = reader
        self.codingPath = codingPath
        self.depth = depth
        self.count = count
        self.position = start
        self.end = end
    }

    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    /// The next element's offset, moving past it.
    private mutating func next() throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the container has only \(currentIndex) elements"))
        }
        let start = position
        position = try reader.skip(start, limit: end, depth: depth)
        currentIndex += 1
        return start
    }

    private var path: [any CodingKey] { codingPath + [BinaryIndexKey(currentIndex)] }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, try reader.tag(at: position, limit: end) == .null else { return false }
        _ = try next()
        return true
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let path = path
        return try reader.double(at: try next(), codingPath: path)
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let path = path
        return try reader.integer(type, at: try next(), codingPath: path)
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = path
        return try reader.value(T.self, at: try next(), codingPath: path, depth: depth)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = path
        return KeyedDecodingContainer(try BinaryKeyedDecoder<NestedKey>(reader: reader, offset: try next(), codingPath: path, depth: depth + 1))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = path
        return try BinaryUnkeyedDecoder(reader: reader, offset: try next(), codingPath: path, depth: depth + 1)
    }

    mutating func superDecoder() throws -> any Decoder {
        let path = path
        return BinaryValueDecoder(reader: reader, offset: try next(), codingPath: path, depth: depth + 1)
    }
}
