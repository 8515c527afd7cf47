// The Gradescope autograder, written by `workbook gradescope DIR`: the package (hidden tests
// included, `Solutions/` left out) with `setup.sh` and `run_autograder` at its top, because
// Gradescope unpacks the zip's contents into /autograder/source:
//
//     cd DIR && zip -qr ../autograder.zip .      (run inside DIR: no extra folder level)
//
//     /autograder/source/Package.swift, Sources/, Tests/, Exercises/, setup.sh, run_autograder
//
// `setup.sh` runs once when Gradescope builds the image; `run_autograder` runs on other machines
// for each submission. The image's build holds no code tuned to the CPU it was made on (the
// package compiles for plain x86-64 with run-time kernel choice), so it runs wherever Gradescope
// grades; the student's module and grade-runner are built on the grading machine itself.
// Both scripts take their root from WORKBOOK_AUTOGRADER_ROOT (default /autograder), so the whole
// flow can be tested in a fake root laid out exactly as Gradescope lays it out.
import Foundation

public enum GradescopeSetup {
    /// The Swift release the image installs (the toolchain the workbook is built with).
    public static let swiftVersion = "6.3.1"

    public static var setupScript: String {
        """
        #!/usr/bin/env bash
        # Gradescope runs this once when it builds the autograder image (Ubuntu 22.04), from
        # /autograder/source: this package, unpacked from autograder.zip.
        set -euo pipefail
        ROOT="${WORKBOOK_AUTOGRADER_ROOT:-/autograder}"
        if ! command -v swift >/dev/null 2>&1; then
            apt-get update
            apt-get install -y --no-install-recommends binutils git gnupg2 libc6-dev libcurl4-openssl-dev \\
                libedit2 libgcc-12-dev libpython3-dev libsqlite3-0 libstdc++-12-dev libxml2-dev libz3-dev \\
                pkg-config tzdata unzip zlib1g-dev curl ca-certificates
            SWIFT=swift-\(swiftVersion)-RELEASE
            curl -fsSL "https://download.swift.org/swift-\(swiftVersion)-release/ubuntu2204/$SWIFT/$SWIFT-ubuntu22.04.tar.gz" -o /tmp/swift.tar.gz
            mkdir -p /opt/swift && tar -xzf /tmp/swift.tar.gz -C /opt/swift --strip-components=1
            ln -sf /opt/swift/usr/bin/* /usr/local/bin/
        fi
        cd "$ROOT/source"
        # The tests (the judge) are built once, from this package alone; each submission's code is
        # built on its own into libRunnerCalls.so when it is graded (this warms that build's dependencies).
        # WORKBOOK_OPTIMIZE_CORE=1: the core, kernels and wire optimized, as `workbook` builds them.
        export WORKBOOK_OPTIMIZE_CORE=1
        swift build --build-tests --scratch-path .build-judge
        # The submission is built from .scratch/grading-0/Exercises into .build-grading-0 (the first
        # grading slot); building the stubs there now leaves only the files a student changed to
        # compile at grading time.
        mkdir -p .scratch/grading-0 && rm -rf .scratch/grading-0/Exercises && cp -R Exercises .scratch/grading-0/Exercises
        WORKBOOK=.scratch/grading-0/Exercises swift build --product RunnerCalls --scratch-path .build-grading-0
        swift build --product workbook

        """
    }

    public static var runScript: String {
        """
        #!/usr/bin/env bash
        # Gradescope runs this for every submission, as root. The student's files are in
        # $ROOT/submission (a copy of Exercises/, zipped or uploaded as files); the graded tests are
        # this package's, never the student's. Student code runs only in grade-runner, as an
        # unprivileged user, with this package and the results folder closed to it.
        set -uo pipefail
        ROOT="${WORKBOOK_AUTOGRADER_ROOT:-/autograder}"
        cd "$ROOT/source" || exit 1
        mkdir -p "$ROOT/results"
        chmod 700 "$ROOT/results"
        rm -f "$ROOT/results/results.json"
        private=$(mktemp -d)          # root's alone (0700): the grader writes here first
        seed=()
        if [ -n "${WORKBOOK_GRADING_SEED:-}" ]; then seed=(--seed "$WORKBOOK_GRADING_SEED"); fi
        .build/debug/workbook results --submission "$ROOT/submission" \\
            --gradescope "$private/results.json" --junit "$private/junit.xml" --time-limit 1200 "${seed[@]}"
        status=$?
        # `results` returns only after every process of the sandbox users is gone; only now is
        # results.json written, from the grader's own output (anything else there is replaced).
        if [ -s "$private/results.json" ]; then
            cp "$private/results.json" "$ROOT/results/results.json"
            cp "$private/junit.xml" "$ROOT/results/junit.xml" 2>/dev/null || true
        else
            echo '{"score": 0, "output": "The autograder failed before grading (exit '"$status"'); please tell your instructor.", "tests": []}' \\
                > "$ROOT/results/results.json"
        fi
        rm -rf "$private"

        """
    }

    /// What the autograder leaves out: the solutions, the attack fixtures, and every top-level entry
    /// that is not the package itself (build products, scratch space, VCS data, submissions, a
    /// batch's `grades/`: `Release.shippedTopLevel`).
    static func isExcluded(_ relative: String) -> Bool {
        let top = String(relative.split(separator: "/").first ?? "")
        if !Release.shippedTopLevel.contains(top) { return true }
        return relative.hasPrefix("Tests/Attacks/") || relative.hasSuffix(".DS_Store")
    }

    /// Writes the autograder folder: the package as Gradescope needs it, with the two scripts on top.
    public static func write(from workspace: Workspace, to folder: URL) throws -> [URL] {
        if FileTree.exists(folder), !((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? ["?"]).isEmpty {
            throw ToolError.usage("\(folder.path) exists and is not empty; choose a new folder")
        }
        if let inside = workspace.relative(folder), !inside.hasPrefix(".scratch/") {
            throw ToolError.usage("the autograder cannot go inside the package (\(inside)) except under .scratch/")
        }
        try Release.requireStubs(workspace)
        for relative in try FileTree.files(under: workspace.root, skipping: isExcluded) {
            try FileTree.copy(workspace.root.appendingPathComponent(relative), to: folder.appendingPathComponent(relative))
        }
        try FileTree.copyLinks(from: workspace.root, to: folder, skipping: isExcluded)
        let files = [("setup.sh", setupScript), ("run_autograder", runScript)]
        return try files.map { name, text in
            let url = folder.appendingPathComponent(name)
            try FileTree.write(text, to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            return url
        }
    }
}
