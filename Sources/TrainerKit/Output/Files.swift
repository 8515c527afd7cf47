import Foundation

// How the trainer writes files, and which files it may write.
//
// - Every file is written to a temporary file beside it (`.NAME.tmp-PID`), flushed to disk, then
//   renamed over the target: a process killed mid-save leaves the previous file whole. A temporary
//   file whose process is gone (a `kill -9` mid-save) is removed by the next run writing there.
// - A command never writes over one of its inputs (the data, the labels, a checkpoint it reads),
//   and never over a file it did not create in this run unless `--overwrite` says so. `resume`
//   continues its own run: it updates the checkpoint it was given, and the metrics and plot beside
//   it only when they belong to that run (their rows are its history).
// - Errors name the file and the option that chose it, with the system's reason.

/// Writes a file atomically: a temporary file in the same directory, flushed, then renamed over the target.
/// - Throws: ``TrainerError`` naming the file and the reason (e.g. "No space left on device"); the
///   temporary file is removed and the previous target left as it was.
func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    if let failure = OutputFiles.makeDirectories(directory.path) {
        throw TrainerError("cannot create the directory '\(excerpt(directory.path, limit: 200))' for '\(excerpt(path, limit: 200))': \(failure)")
    }
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
        throw TrainerError("cannot write '\(excerpt(path, limit: 200))': \(String(cString: strerror(errno)))")
    }
    var failure: String?
    // Fault injection for the kill -9 test: TRAINER_FAULT_SAVE_PAUSE=seconds pauses every save
    // halfway through writing its temporary file, so a test can kill the process mid-save.
    let pause = ProcessInfo.processInfo.environment["TRAINER_FAULT_SAVE_PAUSE"].flatMap(Double.init)
    data.withUnsafeBytes { buffer in
        var offset = 0
        var paused = false
        while offset < buffer.count {
            if let pause, !paused, offset >= buffer.count / 2 {
                paused = true
                Thread.sleep(forTimeInterval: pause)
            }
            let chunk = pause != nil && !paused ? max(1, buffer.count / 2 - offset) : buffer.count - offset
            let written = write(descriptor, buffer.baseAddress! + offset, chunk)
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            offset += written
        }
    }
    if failure == nil, fsync(descriptor) != 0, errno != EINVAL { failure = String(cString: strerror(errno)) }
    if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
    if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
        unlink(temporary)
        throw TrainerError("cannot write '\(excerpt(path, limit: 200))': \(failure); the previous version of the file, if any, is unchanged")
    }
}

func writeAtomically(_ text: String, to path: String) throws { try writeAtomically(Data(text.utf8), to: path) }

enum OutputFiles {
    /// `mkdir -p` with the system's reason on failure ("Not a directory", "Permission denied").
    static func makeDirectories(_ path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { return String(cString: strerror(errno)) }
        }
        return isDirectory(path) ? nil : String(cString: strerror(ENOTDIR))
    }

    /// Creates `directory` (and its parents) now, so a run that could not save is refused before it trains.
    /// - Throws: ``UsageError`` naming `option` and the system's reason.
    static func prepareDirectory(_ directory: String, chosenBy option: String) throws {
        if let failure = makeDirectories(directory) {
            throw UsageError("'\(option)': cannot create the directory '\(excerpt(directory, limit: 200))': \(failure)")
        }
        guard access(directory, W_OK) == 0 else {
            throw UsageError("'\(option)': the directory '\(excerpt(directory, limit: 200))' is not writable")
        }
    }

    /// Removes `.NAME.tmp-PID` files beside `path` left by a process that no longer runs.
    /// - Returns: the files removed.
    @discardableResult
    static func removeStaleTemporaries(besides path: String) -> [String] {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent).tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                let full = directory + "/" + name
                if unlink(full) == 0 { removed.append(full) }
            }
        }
        return removed
    }

    /// The device and inode of an existing file, to tell whether two paths are the same file.
    static func identity(_ path: String) -> (UInt64, UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Refuses to write `path` when it is one of `inputs` (always), a directory, or an existing
    /// file not created by this run (unless `overwrite`).
    /// - Parameters:
    ///   - option: the option that chose the path, for the message (`--out`, `--output`).
    ///   - inputs: `(option, path)` of every file the command reads.
    static func check(_ path: String, chosenBy option: String, inputs: [(String, String)], overwrite: Bool,
                      ownedByThisRun: Bool = false) throws {
        let shown = excerpt(path, limit: 200)
        if let target = identity(path) {
            for (inputOption, input) in inputs {
                if let source = identity(input), source == target {
                    throw UsageError("'\(option)' would write '\(shown)', which is the file given to '\(inputOption)'; choose another output")
                }
            }
        }
        if isDirectory(path) {
            throw UsageError("'\(option)': '\(shown)' is a directory; the trainer writes a file there")
        }
        if exists(path) && !overwrite && !ownedByThisRun {
            throw UsageError("'\(option)': '\(shown)' already exists and was not written by this run; "
                             + "pass --overwrite to replace it, or choose another \(option)")
        }
    }
}
