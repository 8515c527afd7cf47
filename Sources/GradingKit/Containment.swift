// What a submission may bring in, and what the grader closes while student code runs.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of a submission, taken by `lstat` so that nothing is followed: only regular files
/// (one link, at most `maximumSize` bytes) count; anything else is refused and named.
struct SubmissionFiles {
    /// Paths relative to the root of the regular files.
    var files: [String] = []
    /// `01-Activations/ReLU.swift (a symbolic link)`.
    var refused: [String] = []

    static let maximumSize = 1 << 20

    init(under root: URL, skipping skip: (String) -> Bool = { _ in false }) {
        guard let kind = Self.kind(root.path), kind == .directory else {
            if Self.kind(root.path) != nil { refused.append("\(root.lastPathComponent) (\(Self.kind(root.path)!.rawValue))") }
            return
        }
        walk(root, "", skip)
    }

    enum Kind: String { case regular = "a file", directory = "a folder", link = "a symbolic link", other = "a device, pipe or socket", linked = "a file with several hard links", large = "a file over 1 MB" }

    static func kind(_ path: String) -> Kind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFLNK: return .link
        case S_IFREG: return info.st_nlink > 1 ? .linked : info.st_size > maximumSize ? .large : .regular
        default: return .other
        }
    }

    private mutating func walk(_ root: URL, _ relative: String, _ skip: (String) -> Bool) {
        let folder = relative.isEmpty ? root.path : root.path + "/" + relative
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
            let child = relative.isEmpty ? name : relative + "/" + name
            if skip(child) { continue }
            switch Self.kind(folder + "/" + name) {
            case .directory?: walk(root, child, skip)
            case .regular?: files.append(child)
            case let other?: refused.append("\(child) (\(other.rawValue))")
            case nil: refused.append("\(child) (unreadable)")
            }
        }
    }

    /// Whether `path` is a real folder (not a link to one).
    static func isFolder(_ url: URL) -> Bool { kind(url.path) == .directory }
}

/// Under root, closes folders to every other user while student code runs (mode 0700), and puts
/// their modes back afterwards. A sandbox user then cannot read the package (tests, solutions,
/// hidden tests, the grader's build), other submissions or the results. As an ordinary user it
/// does nothing: student code runs as that user anyway.
final class FolderLock {
    private var saved: [(path: String, mode: mode_t)] = []

    static func close(_ folders: [URL]) -> FolderLock {
        let lock = FolderLock()
        guard geteuid() == 0 else { return lock }
        for folder in folders {
            var info = stat()
            guard stat(folder.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            let mode = info.st_mode & 0o7777
            if mode & 0o077 != 0, chmod(folder.path, mode & 0o700) == 0 { lock.saved.append((folder.path, mode)) }
        }
        return lock
    }

    func reopen() {
        for (path, mode) in saved.reversed() { chmod(path, mode) }
        saved = []
    }
}
