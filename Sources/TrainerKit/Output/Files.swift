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
    var created: [String] = []
    if let failure = OutputFiles.makeDirectories(directory.path, created: &created) {
        OutputFiles.removeEmpty(created)
        throw TrainerError("cannot create the directory \(shown(PathText.folder(of: path))) for \(shown(path)): \(failure)")
    }
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
        let reason = String(cString: strerror(errno))
        OutputFiles.removeEmpty(created)
        throw TrainerError("cannot write \(shown(path)): \(reason)")
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
        OutputFiles.removeEmpty(created)
        throw TrainerError("cannot write \(shown(path)): \(failure); the previous version of the file, if any, is unchanged")
    }
}

func writeAtomically(_ text: String, to path: String) throws { try writeAtomically(Data(text.utf8), to: path) }

enum OutputFiles {
    /// `mkdir -p` with the system's reason on failure ("Not a directory", "Permission denied").
    /// - Parameter created: receives every directory this call made, outermost first.
    static func makeDirectories(_ path: String, created: inout [String]) -> String? {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 {
                created.append(prefix)
            } else if errno != EEXIST {
                return String(cString: strerror(errno))
            }
        }
        return isDirectory(path) ? nil : String(cString: strerror(ENOTDIR))
    }

    /// Removes the directories a refused or failed command made, innermost first, and only while
    /// they are empty (`rmdir` never removes a file): a refusal leaves the disk as it found it.
    static func removeEmpty(_ directories: [String]) {
        for directory in directories.reversed() { rmdir(directory) }
    }

    /// Creates `directory` (and its parents) now, so a run that could not save is refused before it trains.
    /// - Returns: the directories made, for ``removeEmpty(_:)`` if the command then fails.
    /// - Throws: ``UsageError`` naming `option` and the system's reason (and removes what it made).
    @discardableResult
    static func prepareDirectory(_ directory: String, chosenBy option: String) throws -> [String] {
        var created: [String] = []
        if let failure = makeDirectories(directory, created: &created) {
            removeEmpty(created)
            throw UsageError("'\(option)': cannot create the directory \(shown(directory)): \(failure)")
        }
        guard access(directory, W_OK) == 0 else {
            removeEmpty(created)
            throw UsageError("'\(option)': the directory \(shown(directory)) is not writable")
        }
        return created
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
        let shownPath = shown(path)
        // "out/" names a folder: written as a file it fails only at the rename, after the work.
        let optionName = option.split(separator: " ").first.map(String.init) ?? option
        if path.hasSuffix("/") {
            throw UsageError("'\(optionName)': \(shownPath) ends with '/', the form of a folder; give a file name")
        }
        // A device, a pipe or a socket, or anything in /dev or /proc (/dev/stdout is a link to
        // /proc/self/fd/1, whatever that is): the atomic write would rename a new regular file
        // over its entry (as root, replacing /dev/stdout for every process).
        var info = stat()
        let folder = PathText.folder(of: path)
        // (A folder that does not exist yet is left to the directory check, which names the reason.)
        let realFolder = realpath(folder, nil).map { pointer in defer { free(pointer) }; return String(cString: pointer) }
        let special = stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR
        if special || ["/dev", "/proc"].contains(where: { realFolder == $0 || realFolder?.hasPrefix($0 + "/") == true }) {
            throw UsageError("'\(optionName)': \(shownPath) is a device or a pipe, not a file: the trainer writes a new file and renames it over the old one; "
                             + "give a file's path (predict prints its predictions when --output is left out)")
        }
        if let target = identity(path) {
            for (inputOption, input) in inputs {
                if let source = identity(input), source == target {
                    throw UsageError("'\(option)' would write \(shownPath), which is the file given to '\(inputOption)'; choose another output "
                                     + "(--overwrite never replaces an input)")
                }
            }
        }
        if isDirectory(path) {
            throw UsageError("'\(option)': \(shownPath) is a directory; the trainer writes a file there")
        }
        if exists(path) && !overwrite && !ownedByThisRun {
            throw UsageError("'\(option)': \(shownPath) already exists and was not written by this run; "
                             + "pass --overwrite to replace it, or choose another \(option.split(separator: " ").first ?? "")")
        }
    }
}

/// One writer per checkpoint: `train`, `resume` and `import` hold this lock on the checkpoint they
/// write for as long as they run, and a second writer is refused at once instead of silently
/// discarding the first one's epochs when it saves.
///
/// The lock is `flock(2)` on `.NAME.lock` beside the checkpoint: the kernel releases it when the
/// process ends, however it ends (`kill -9` included), so a lock is never stale; a lock file left
/// by a killed process is only a file, locked again by the next writer and removed when it is done.
/// `flock` conflicts between two opens even in one process, so tests can hold it in-process.
final class CheckpointLock {
    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// The lock file that guards `checkpoint`.
    /// Built from the text as given (``PathText``), so a message naming it keeps a relative path relative.
    static func lockPath(for checkpoint: String) -> String {
        PathText.folderPrefix(of: checkpoint) + "." + PathText.fileName(of: checkpoint) + ".lock"
    }

    /// Takes the lock on `checkpoint` (whose directory must exist), or refuses at once.
    /// - Throws: ``TrainerError`` naming the checkpoint when another process (or another command in
    ///   this one) writes it, or when the lock file cannot be created.
    static func acquire(_ checkpoint: String, option: String) throws -> CheckpointLock {
        let file = lockPath(for: checkpoint)
        for _ in 0..<8 {
            var descriptor = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            // Never hold descriptor 0, 1 or 2: with standard output closed, open() returns 1, and the
            // run's output would go into the lock file instead of failing as it should.
            if descriptor >= 0 && descriptor <= 2 {
                let moved = fcntl(descriptor, F_DUPFD_CLOEXEC, 3)
                close(descriptor)
                descriptor = moved
            }
            guard descriptor >= 0 else {
                throw TrainerError("'\(option)': cannot lock \(shown(checkpoint)) for writing (\(shown(file)): \(String(cString: strerror(errno))))")
            }
            if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                let busy = errno == EWOULDBLOCK
                let reason = String(cString: strerror(errno))
                close(descriptor)
                if busy {
                    throw TrainerError("'\(option)': \(shown(checkpoint)) is being written by another trainer run (train, resume or import); "
                                       + "wait for it to finish, or stop it, then try again")
                }
                throw TrainerError("'\(option)': cannot lock \(shown(checkpoint)) for writing: \(reason)")
            }
            // The previous holder may have removed the file between our open and our flock: then
            // we hold a lock on a file nobody else can see. Only a lock on the file at the path counts.
            var held = stat(), named = stat()
            if fstat(descriptor, &held) == 0, stat(file, &named) == 0, held.st_dev == named.st_dev, held.st_ino == named.st_ino {
                return CheckpointLock(path: file, descriptor: descriptor)
            }
            close(descriptor)
        }
        throw TrainerError("'\(option)': cannot lock \(shown(checkpoint)) for writing: its lock file keeps changing")
    }

    /// Removes the lock file and releases the lock (in that order, see ``acquire(_:option:)``).
    func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
