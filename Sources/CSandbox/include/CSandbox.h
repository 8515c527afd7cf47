// Starting and stopping the process that runs a student's code.
//
// Swift cannot safely run code between fork() and exec() (the runtime may hold locks taken by
// other threads), and posix_spawn cannot change the user. These few lines of C do exactly what
// the sandbox needs in the child, calling only async-signal-safe functions before exec.
#ifndef WORKBOOK_CSANDBOX_H
#define WORKBOOK_CSANDBOX_H

#include <sys/types.h>

/// A folder or file of the host made visible inside the jail at `target` (an absolute host path
/// inside the jail folder): `writable` 0 read-only, 1 a writable folder, 2 a device node.
typedef struct {
    const char *source;
    const char *target;
    int writable;
} workbook_bind;

/// What the child gets. Unset limits are 0.
typedef struct {
    /// The child's standard input, output and error, and two more descriptors that become 3 and 4.
    int stdin_fd, stdout_fd, stderr_fd, fd3, fd4;
    /// When `drop_privileges` is 1, the child runs as `uid`/`gid` with no supplementary groups.
    int drop_privileges;
    uid_t uid;
    gid_t gid;
    /// The working directory, or NULL.
    const char *directory;
    /// RLIMIT_CPU seconds, RLIMIT_NPROC processes (per user: only meaningful with a dedicated uid),
    /// RLIMIT_FSIZE bytes; 0 leaves a limit as inherited.
    unsigned long cpu_seconds, processes, file_bytes;
    /// 1: try to give the child an empty network namespace (needs privileges; silently skipped).
    int isolate_network;
    /// 1 (root only): a private System V IPC and POSIX message-queue namespace, so shared memory,
    /// semaphores and message queues the child makes die with it and reach no other test; the
    /// child ends with 126 if the kernel refuses.
    int isolate_ipc;
    /// When set (root only): a private mount namespace in which `jail` becomes the root, holding
    /// only `binds`, a fresh /proc at `jail_proc` and a private 64 MB /tmp at `jail_tmp`; `path`
    /// and `directory` are then paths inside the jail. A step that fails ends the child with 126.
    const char *jail;
    const workbook_bind *binds;
    int bind_count;
    const char *jail_proc;
    const char *jail_tmp;
    /// 1: make the jail's mounts (binds, /proc) but do not enter it: the zygote, whose children
    /// each add their own /tmp and scratch folder and then enter.
    int jail_stay_outside;
} workbook_sandbox_options;

/// What one test's runner is, as the judge asks the zygote for it (see `workbook_zygote_fork`).
typedef struct {
    /// 0: start a runner (three descriptors come with the request); 1: end every process of
    /// `uid` and clear its user keyrings, as `workbook_sandbox_end_user(uid, 400, 1)` does, from
    /// the zygote (whose fork is far cheaper than the judge's); the answer is that function's.
    int kind;
    /// The sandbox user and group the runner becomes (never 0: the zygote refuses).
    uid_t uid;
    gid_t gid;
    /// RLIMIT_CPU seconds, RLIMIT_NPROC processes, RLIMIT_FSIZE bytes (0: not set).
    unsigned long cpu_seconds, processes, file_bytes;
    /// The host path of the test's scratch folder, bound at the jail's /scratch; NUL-terminated.
    char scratch[1024];
} workbook_zygote_request;

/// Forks and execs `path` with `argv` and `envp` as `options` says, in a new process group whose
/// id is the child's pid. Returns the pid, or -errno. The child exits with 127 when a step fails
/// (it never runs the program with more rights than asked).
pid_t workbook_sandbox_spawn(const char *path, char *const argv[], char *const envp[],
                             const workbook_sandbox_options *options);

/// Sends SIGKILL to every process of `uid` (as that uid, so only its processes), `rounds` times.
/// Returns 0, or -errno when the helper could not be started. Needs root.
int workbook_sandbox_kill_user(uid_t uid, int rounds);

/// Ends every process of `uid` and reports whether any is left, in one helper process running as
/// `uid` with RLIMIT_NPROC 2: while a fork of the helper fails (the kernel counts every process of
/// the uid, so the fork fits only when the helper is the uid's only process), `kill(-1, SIGKILL)`,
/// at most `rounds` times (0.2 ms apart, then 2 ms); no scan of /proc. Then, when `clear_keys`
/// is 1, clears its user keyrings (`@u`, `@us`). Returns 0 when no process of the uid is left, 1
/// when some still are after `rounds` (or the fork failed otherwise), 2 when the helper could not
/// become `uid`, or -errno. Needs root.
int workbook_sandbox_end_user(uid_t uid, int rounds, int clear_keys);

/// Removes every System V shared-memory segment, semaphore set and message queue that `uid`
/// created or owns in this IPC namespace (read from /proc/sysvipc; no process is started).
/// Returns how many were removed. Needs root.
int workbook_sandbox_clear_ipc(uid_t uid);

/// Removes what `uid` may have left for a later test outside its processes and files: every
/// System V shared-memory segment, semaphore set and message queue it created or owns (read from
/// /proc/sysvipc), and the keys of its user keyrings (`@u`, `@us`), which the kernel keeps for a
/// uid after its last process ends. Returns how many IPC objects were removed. Needs root.
int workbook_sandbox_clear_user(uid_t uid);

/// The zygote's loop (in grade-zygote, started by `workbook_sandbox_spawn` with
/// `jail_stay_outside`): makes itself undumpable, then for each request read on `control` (a
/// request and three descriptors: output, calls, replies) starts a child with
/// clone(CLONE_PARENT), so that the child is the judge's own child (the judge waits for it, reads
/// its processor time and kills its group as for a fresh runner, and it outlives the zygote), and
/// answers its pid (or -errno). The child: a new session; the descriptors as 1 and 2, 3, 4 and
/// nothing else; its own network, IPC and mount namespaces; a fresh 64 MB tmpfs at `jail`/tmp and
/// the scratch folder at `jail`/scratch; chroot into `jail`; the limits; no groups, the request's
/// gid and uid; an empty session keyring and cleared user keyrings; no new privileges; then it
/// loads `library` (a path inside the jail) and calls its `workbook_runner_serve`. A step that
/// fails ends the child with 126 (127 when the library cannot be loaded). Returns when `control`
/// closes (0) or on a malformed request (1). Refuses to serve (2) unless it is single-threaded.
int workbook_zygote_serve(int control, const char *jail, const char *library);

/// The judge's side: asks the zygote on `control` for a runner as `request` says, passing
/// `output` (its standard output and error), `calls` (its descriptor 3) and `replies` (4).
/// Returns the child's pid, or -errno (-EPIPE, -ECONNRESET or -ETIMEDOUT when the zygote is gone
/// or does not answer within `seconds`): the caller then starts a fresh runner instead.
pid_t workbook_zygote_fork(int control, const workbook_zygote_request *request,
                           int output, int calls, int replies, int seconds);

/// The judge's side of a clean-up request (`kind` 1): the zygote's answer, or -errno as above.
int workbook_zygote_end_user(int control, uid_t uid, int seconds);

/// A connected pair of sequenced-packet sockets, both closed on exec. 0 or -errno.
int workbook_socketpair(int fds[2]);

/// In grade-zygote's single mode (a fresh runner): loads `library` and calls its
/// `workbook_runner_serve`; returns only when that fails (after printing why on standard error).
int workbook_runner_load(const char *library);

/// A pipe whose two ends are closed on exec (so no other child inherits them). 0 or -errno.
int workbook_pipe(int fds[2]);

/// In the runner: line-buffered standard output, so a student's print reaches the grader even
/// when a trap follows; and a flush of both streams before each answer.
void workbook_line_buffered_output(void);
void workbook_flush_output(void);

#endif
