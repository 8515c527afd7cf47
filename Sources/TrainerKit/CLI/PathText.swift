import Foundation

// Paths the trainer derives from the ones a user gave (the metrics beside a resumed checkpoint,
// export's default output, visualize's default folder) are built from the text as written, never
// through `URL(fileURLWithPath:)`, which makes a relative path absolute: a line that names a file
// the user gave as `runs/a/model.ckpt` names the files beside it as `runs/a/…` too, not
// `/home/…/runs/a/…`. Relative paths resolve against the working directory like the given one, so
// the files are the same either way; only what is printed changes.

enum PathText {
    /// The text of `path` up to and including its last `/`: `runs/a/` for `runs/a/model.ckpt`,
    /// `/` for `/model.ckpt`, and empty for a bare file name (`model.ckpt`).
    static func folderPrefix(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    /// The folder holding `path`, as written and usable as a path: `runs/a` for `runs/a/model.ckpt`,
    /// `/` for `/model.ckpt`, `.` for a bare file name.
    static func folder(of path: String) -> String {
        var folder = folderPrefix(of: path)
        if folder.isEmpty { return "." }
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        return folder
    }

    /// The last component of `path` as written: `model.ckpt` for `runs/a/model.ckpt`.
    static func fileName(of path: String) -> String {
        String(path.dropFirst(folderPrefix(of: path).count))
    }

    /// The file name without its extension (from its last `.`, unless that starts the name):
    /// `model` for `runs/a/model.ckpt`, `w.tar` for `w.tar.gz`, `.hidden` for `.hidden`.
    static func stem(of path: String) -> String {
        let name = fileName(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// The path of the file `name` in `folder` as written: `plots/x.svg` for `plots` and for `plots/`
    /// (a folder given with its trailing slash printed `plots//x.svg` before), `/x.svg` for `/`.
    static func file(_ name: String, inFolder folder: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// `path` with its file name's extension replaced by `newExtension`:
    /// `runs/a/model.ckpt` → `runs/a/model.safetensors`, `model` → `model.safetensors`.
    static func replacingExtension(of path: String, with newExtension: String) -> String {
        folderPrefix(of: path) + stem(of: path) + "." + newExtension
    }
}
