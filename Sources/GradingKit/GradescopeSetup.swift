// The two scripts a Gradescope "programming assignment" autograder needs, written by
// `workbook gradescope DIR`. Zip them with the instructor's workbook (hidden tests included,
// Solutions/ left out) as `source/`:
//
//     autograder.zip
//       setup.sh          installs Swift and builds the workbook once (Gradescope caches the image)
//       run_autograder    grades /autograder/submission into /autograder/results/results.json
//       source/           the workbook package
import Foundation

public enum GradescopeSetup {
    /// The Swift release the image installs (the toolchain the workbook is built with).
    public static let swiftVersion = "6.3.1"

    public static var setupScript: String {
        """
        #!/usr/bin/env bash
        # Gradescope runs this once when it builds the autograder image (Ubuntu 22.04).
        set -euo pipefail
        apt-get update
        apt-get install -y --no-install-recommends binutils git gnupg2 libc6-dev libcurl4-openssl-dev \\
            libedit2 libgcc-12-dev libpython3-dev libsqlite3-0 libstdc++-12-dev libxml2-dev libz3-dev \\
            pkg-config tzdata unzip zlib1g-dev curl ca-certificates
        SWIFT=swift-\(swiftVersion)-RELEASE
        curl -fsSL "https://download.swift.org/swift-\(swiftVersion)-release/ubuntu2204/$SWIFT/$SWIFT-ubuntu22.04.tar.gz" -o /tmp/swift.tar.gz
        mkdir -p /opt/swift && tar -xzf /tmp/swift.tar.gz -C /opt/swift --strip-components=1
        ln -sf /opt/swift/usr/bin/* /usr/local/bin/
        # Build once, so grading a submission rebuilds only the student's module.
        cd /autograder/source
        rm -rf Solutions
        swift build --build-tests
        swift build --product workbook

        """
    }

    public static var runScript: String {
        """
        #!/usr/bin/env bash
        # Gradescope runs this for every submission. The student's files are in /autograder/submission
        # (a copy of Exercises/, zipped or uploaded as files); the graded tests are the instructor's,
        # in /autograder/source, never the student's.
        set -uo pipefail
        cd /autograder/source
        mkdir -p /autograder/results
        .build/debug/workbook results --submission /autograder/submission \\
            --gradescope /autograder/results/results.json --junit /autograder/results/junit.xml \\
            --time-limit 1200
        status=$?
        if [ ! -s /autograder/results/results.json ]; then
            echo '{"score": 0, "output": "The autograder failed before grading (exit '"$status"'); please tell your instructor.", "tests": []}' \\
                > /autograder/results/results.json
        fi

        """
    }

    /// Writes `setup.sh` and `run_autograder` into `folder`, executable.
    public static func write(to folder: URL) throws -> [URL] {
        let files = [("setup.sh", setupScript), ("run_autograder", runScript)]
        return try files.map { name, text in
            let url = folder.appendingPathComponent(name)
            try FileTree.write(text, to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            return url
        }
    }
}
