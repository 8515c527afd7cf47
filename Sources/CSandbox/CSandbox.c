#define _GNU_SOURCE
#include "CSandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/mount.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <linux/keyctl.h>
#include <dirent.h>
#include <dlfcn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#endif

static void limit(int resource, unsigned long value) {
    if (value == 0) return;
    struct rlimit r = { (rlim_t)value, (rlim_t)value };
    setrlimit(resource, &r);
}

/// In a helper child forked from a grading process: closes every descriptor it inherited but
/// 0...2. Other threads' descriptors (sandbox uids' flocks, runners' pipes) would otherwise live
/// as long as this child, so a released uid would stay locked and a finished runner's pipe open.
static void drop_inherited_descriptors(void) {
#ifdef __linux__
    if (syscall(SYS_close_range, 3, ~0U, 0) == 0) return;
#endif
    for (int fd = 3; fd < 1024; fd++) close(fd);
}

/// Moves `fd` to `target` in the child; -1 means /dev/null.
static int place(int fd, int target) {
    if (fd < 0) {
        fd = open("/dev/null", target == 0 ? O_RDONLY : O_WRONLY);
        if (fd < 0) return -1;
    }
    if (fd == target) return fcntl(fd, F_SETFD, 0);   // keep it across exec
    return dup2(fd, target) < 0 ? -1 : 0;
}

pid_t workbook_sandbox_spawn(const char *path, char *const argv[], char *const envp[],
                             const workbook_sandbox_options *o) {
    // Descriptors above 4 must not reach the child: move ours out of the way of 0...4 first.
    int fds[5] = { o->stdin_fd, o->stdout_fd, o->stderr_fd, o->fd3, o->fd4 };
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid > 0) return pid;

    // The child. Only async-signal-safe calls from here to exec.
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < 32; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    int high[5];
    for (int i = 0; i < 5; i++) high[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD_CLOEXEC, 10) : -1;
    for (int i = 0; i < 5; i++) {
        if (i >= 3 && high[i] < 0) continue;
        if (place(high[i], i) < 0) _exit(127);
    }
#ifdef __linux__
    syscall(SYS_close_range, 5, ~0U, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (o->isolate_network) unshare(CLONE_NEWNET);
    if (o->isolate_ipc && unshare(CLONE_NEWIPC) != 0) _exit(126);
#else
    for (int fd = 5; fd < 1024; fd++) close(fd);
#endif
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    limit(RLIMIT_CPU, o->cpu_seconds);
    limit(RLIMIT_FSIZE, o->file_bytes);
#ifdef __linux__
    if (o->jail) {
        // Nothing of the host but what is bound in: no other copies of the course, no home folders.
        if (unshare(CLONE_NEWNS) != 0) _exit(126);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) _exit(126);
        for (int i = 0; i < o->bind_count; i++) {
            const workbook_bind *b = &o->binds[i];
            if (mount(b->source, b->target, NULL, MS_BIND | MS_REC, NULL) != 0) _exit(126);
            // writable: 1 a folder (no devices in it), 2 a device node (/dev/null), 0 read-only.
            unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (b->writable == 1 ? MS_NODEV : b->writable == 2 ? 0 : MS_RDONLY);
            if (mount(NULL, b->target, NULL, flags, NULL) != 0) _exit(126);
        }
        if (o->jail_proc && mount("proc", o->jail_proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) _exit(126);
        if (o->jail_tmp && mount("tmpfs", o->jail_tmp, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777") != 0) _exit(126);
        if (!o->jail_stay_outside && (chroot(o->jail) != 0 || chdir("/") != 0)) _exit(126);
    }
#endif
    if (o->directory && chdir(o->directory) != 0) _exit(127);
    if (o->drop_privileges) {
        if (setgroups(0, NULL) != 0) _exit(127);
        if (setgid(o->gid) != 0) _exit(127);
        limit(RLIMIT_NPROC, o->processes);
        if (setuid(o->uid) != 0) _exit(127);
        if (getuid() != o->uid || geteuid() != o->uid || setuid(0) == 0) _exit(127);
#ifdef __linux__
        // Keys are kept per uid by the kernel, not per process: start with none of the grader's
        // (a fresh anonymous session keyring) and none a previous test of this uid left.
        syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
        syscall(SYS_keyctl, KEYCTL_CLEAR, KEY_SPEC_USER_KEYRING);
        syscall(SYS_keyctl, KEYCTL_CLEAR, KEY_SPEC_USER_SESSION_KEYRING);
#endif
    }
#ifdef __linux__
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
#endif
    execve(path, argv, envp);
    _exit(127);
}

int workbook_sandbox_kill_user(uid_t uid, int rounds) {
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) {
        drop_inherited_descriptors();
        if (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid(uid) != 0) _exit(1);
        // kill(-1) from this uid reaches every process of the uid except this one, whatever its
        // process group or session: setsid() does not escape it.
        for (int i = 0; i < rounds; i++) { kill(-1, SIGKILL); usleep(2000); }
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return 0;
}

/// In a helper running as the uid, under RLIMIT_NPROC 2: whether the uid has no process but this
/// one. The kernel counts every process of a uid (zombies and those in nested namespaces
/// included) and refuses a fork that would take the count over the limit: this helper (1) and
/// the child (1) fit in 2 only when nothing else of the uid exists. 1: none; 0: some; -1: unknown.
static int alone_as_uid(void) {
    pid_t child = vfork();
    if (child == 0) _exit(0);
    if (child > 0) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return 1;
    }
    return errno == EAGAIN ? 0 : -1;
}

int workbook_sandbox_end_user(uid_t uid, int rounds, int clear_keys) {
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) {
        drop_inherited_descriptors();
        if (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid(uid) != 0) _exit(2);
        struct rlimit two = { 2, 2 };
        if (setrlimit(RLIMIT_NPROC, &two) != 0) _exit(2);
        // kill(-1) as the uid signals every process of the uid but this one, whatever its process
        // group or session; the fork test above says when none is left, with no scan of /proc
        // (kill(-1) itself cannot: it succeeds whenever any other process exists on the machine).
        int left = 1;
        for (int i = 0; i < rounds; i++) {
            int alone = alone_as_uid();
            if (alone == 1) { left = 0; break; }
            if (alone < 0) break;
            kill(-1, SIGKILL);
            usleep(i < 10 ? 200 : 2000);
        }
#ifdef __linux__
        if (clear_keys) {
            syscall(SYS_keyctl, KEYCTL_CLEAR, KEY_SPEC_USER_KEYRING);
            syscall(SYS_keyctl, KEYCTL_CLEAR, KEY_SPEC_USER_SESSION_KEYRING);
        }
#else
        (void)clear_keys;
#endif
        _exit(left);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) { if (errno != EINTR) return -errno; }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

#ifdef __linux__
/// Removes the objects of one /proc/sysvipc table whose owner or creator is `uid`.
static int remove_ipc(const char *table, int id_column, int uid_column, int cuid_column, int kind, uid_t uid) {
    FILE *f = fopen(table, "r");
    if (!f) return 0;
    char line[512];
    int removed = 0;
    if (!fgets(line, sizeof line, f)) { fclose(f); return 0; }   // the header
    while (fgets(line, sizeof line, f)) {
        long column[16] = { 0 };
        int n = 0;
        char *p = line;
        while (n < 16) {
            char *end;
            long value = strtol(p, &end, 10);
            if (end == p) break;
            column[n++] = value;
            p = end;
        }
        if (n <= cuid_column || n <= uid_column) continue;
        if ((uid_t)column[uid_column] != uid && (uid_t)column[cuid_column] != uid) continue;
        int id = (int)column[id_column];
        int result = kind == 0 ? shmctl(id, IPC_RMID, NULL) : kind == 1 ? msgctl(id, IPC_RMID, NULL) : semctl(id, 0, IPC_RMID);
        if (result == 0) removed++;
    }
    fclose(f);
    return removed;
}
#endif

int workbook_sandbox_clear_ipc(uid_t uid) {
#ifdef __linux__
    //  shm: key shmid perms size cpid lpid nattch uid gid cuid cgid …
    //  msg: key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid …
    //  sem: key semid perms nsems uid gid cuid cgid …
    int removed = remove_ipc("/proc/sysvipc/shm", 1, 7, 9, 0, uid)
                + remove_ipc("/proc/sysvipc/msg", 1, 7, 9, 1, uid)
                + remove_ipc("/proc/sysvipc/sem", 1, 4, 6, 2, uid);
    return removed;
#else
    (void)uid;
    return 0;
#endif
}

int workbook_sandbox_clear_user(uid_t uid) {
#ifdef __linux__
    int removed = workbook_sandbox_clear_ipc(uid);
    pid_t pid = fork();
    if (pid == 0) {
        drop_inherited_descriptors();
        if (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid(uid) != 0) _exit(1);
        syscall(SYS_keyctl, KEYCTL_CLEAR, KEY_SPEC_USER_KEYRING);
        syscall(SYS_keyctl, KEYCTL_CLEAR, KEY_SPEC_USER_SESSION_KEYRING);
        _exit(0);
    }
    if (pid > 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    }
    return removed;
#else
    (void)uid;
    return 0;
#endif
}

void workbook_line_buffered_output(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
}

void workbook_flush_output(void) {
    fflush(stdout);
    fflush(stderr);
}

int workbook_pipe(int fds[2]) {
#ifdef __linux__
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno;
#else
    if (pipe(fds) != 0) return -errno;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}

#ifdef __linux__
/// The number of threads of this process (/proc/self/task), or -1.
static int thread_count(void) {
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static int join(char *out, size_t size, const char *a, const char *b) {
    int n = snprintf(out, size, "%s%s", a, b);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/// The zygote's child: becomes one test's runner (see the header). Never returns.
static void zygote_child(const workbook_zygote_request *r, const int fds[3], int control,
                         const char *jail, const char *library) {
    close(control);
    setsid();   // its own session and process group (id = its pid): the judge kills the group
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    // Only the zygote's own change goes back to the default. The Swift runtime's crash handlers
    // (SIGILL, SIGSEGV, SIGQUIT, …), installed when the zygote started, must stay: with no exec
    // here nothing would install them again, and a trap or a stopped loop would be reported
    // without the student's file and line.
    signal(SIGPIPE, SIG_DFL);
    int high[3];
    for (int i = 0; i < 3; i++) high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
    if (high[0] < 0 || high[1] < 0 || high[2] < 0) _exit(126);
    if (place(-1, 0) < 0 || place(high[0], 1) < 0 || place(high[0], 2) < 0
        || place(high[1], 3) < 0 || place(high[2], 4) < 0) _exit(126);
    syscall(SYS_close_range, 5, ~0U, 0);   // the control socket's copies, the zygote's own files
    unshare(CLONE_NEWNET);
    if (unshare(CLONE_NEWIPC) != 0) _exit(126);
    if (unshare(CLONE_NEWNS) != 0) _exit(126);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) _exit(126);
    char scratch[1100], tmp[1100];
    if (join(scratch, sizeof scratch, jail, "/scratch") != 0 || join(tmp, sizeof tmp, jail, "/tmp") != 0) _exit(126);
    if (mount(r->scratch, scratch, NULL, MS_BIND | MS_REC, NULL) != 0) _exit(126);
    if (mount(NULL, scratch, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV, NULL) != 0) _exit(126);
    if (mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777") != 0) _exit(126);
    if (chroot(jail) != 0 || chdir("/scratch") != 0) _exit(126);
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    limit(RLIMIT_CPU, r->cpu_seconds);
    limit(RLIMIT_FSIZE, r->file_bytes);
    if (setgroups(0, NULL) != 0) _exit(126);
    if (setgid(r->gid) != 0) _exit(126);
    limit(RLIMIT_NPROC, r->processes);
    if (setuid(r->uid) != 0) _exit(126);
    if (getuid() != r->uid || geteuid() != r->uid || setuid(0) == 0 || getgid() != r->gid) _exit(126);
    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
    syscall(SYS_keyctl, KEYCTL_CLEAR, KEY_SPEC_USER_KEYRING);
    syscall(SYS_keyctl, KEYCTL_CLEAR, KEY_SPEC_USER_SESSION_KEYRING);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(126);
    // As after an exec by this uid: the runtime's crash reporter (this uid) reads its memory.
    prctl(PR_SET_DUMPABLE, 1);
    workbook_runner_load(library);
    _exit(127);
}

int workbook_zygote_serve(int control, const char *jail, const char *library) {
    // Undumpable: no process of another uid, nor a same-uid one, may ptrace it or read its memory.
    prctl(PR_SET_DUMPABLE, 0);
    if (thread_count() != 1) return 2;   // fork() copies one thread: any other's locks would be held forever
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        workbook_zygote_request r;
        int fds[3] = { -1, -1, -1 };
        char control_buffer[CMSG_SPACE(3 * sizeof(int))];
        struct iovec io = { &r, sizeof r };
        struct msghdr m = { 0 };
        m.msg_iov = &io;
        m.msg_iovlen = 1;
        m.msg_control = control_buffer;
        m.msg_controllen = sizeof control_buffer;
        ssize_t n = recvmsg(control, &m, MSG_CMSG_CLOEXEC);
        if (n == 0) return 0;
        if (n < 0) { if (errno == EINTR) continue; return 1; }
        int received = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
            int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < count; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (received < 3) fds[received++] = fd; else close(fd);
            }
        }
        int32_t answer;
        if (n == (ssize_t)sizeof r && r.kind == 1 && received == 0 && !(m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
            answer = r.uid == 0 ? -EINVAL : workbook_sandbox_end_user(r.uid, 400, 1);
        } else if (n != (ssize_t)sizeof r || r.kind != 0 || received != 3 || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
            || r.uid == 0 || r.gid == 0 || memchr(r.scratch, 0, sizeof r.scratch) == NULL || r.scratch[0] != '/') {
            answer = -EINVAL;
        } else {
            // CLONE_PARENT: the child's parent is the judge, as for a runner the judge forks itself.
            pid_t pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
            if (pid == 0) zygote_child(&r, fds, control, jail, library);
            answer = pid > 0 ? pid : -errno;
        }
        for (int i = 0; i < 3; i++) if (fds[i] >= 0) close(fds[i]);
        if (send(control, &answer, sizeof answer, MSG_NOSIGNAL) != (ssize_t)sizeof answer) return 1;
    }
}

/// Sends `request` (with `count` descriptors) and reads the zygote's 4-byte answer.
static int zygote_ask(int control, const workbook_zygote_request *request, const int *fds, int count, int seconds) {
    struct timeval limit = { seconds, 0 };
    setsockopt(control, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(control, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    char control_buffer[CMSG_SPACE(3 * sizeof(int))];
    memset(control_buffer, 0, sizeof control_buffer);
    struct iovec io = { (void *)request, sizeof *request };
    struct msghdr m = { 0 };
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    if (count > 0) {
        m.msg_control = control_buffer;
        m.msg_controllen = CMSG_SPACE(count * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(count * sizeof(int));
        memcpy(CMSG_DATA(c), fds, count * sizeof(int));
    }
    ssize_t sent;
    do { sent = sendmsg(control, &m, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    if (sent < 0) return errno == EAGAIN ? -ETIMEDOUT : -errno;
    int32_t answer = 0;
    ssize_t got;
    do { got = recv(control, &answer, sizeof answer, 0); } while (got < 0 && errno == EINTR);
    if (got == 0) return -ECONNRESET;
    if (got < 0) return errno == EAGAIN ? -ETIMEDOUT : -errno;
    if (got != (ssize_t)sizeof answer) return -EPROTO;
    return answer;
}

int workbook_zygote_end_user(int control, uid_t uid, int seconds) {
    workbook_zygote_request request;
    memset(&request, 0, sizeof request);
    request.kind = 1;
    request.uid = uid;
    request.gid = uid;
    return zygote_ask(control, &request, NULL, 0, seconds);
}

pid_t workbook_zygote_fork(int control, const workbook_zygote_request *request,
                           int output, int calls, int replies, int seconds) {
    int fds[3] = { output, calls, replies };
    return zygote_ask(control, request, fds, 3, seconds);
}

int workbook_socketpair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
}

int workbook_runner_load(const char *library) {
    void *image = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    void (*serve)(void) = image ? (void (*)(void))dlsym(image, "workbook_runner_serve") : NULL;
    if (!serve) {
        const char *why = dlerror();
        dprintf(2, "grade-zygote: cannot load the runner %s: %s\n", library, why ? why : "no workbook_runner_serve");
        return 127;
    }
    serve();
    return 0;
}
#else
int workbook_zygote_serve(int control, const char *jail, const char *library) { (void)control; (void)jail; (void)library; return 2; }
int workbook_zygote_end_user(int control, uid_t uid, int seconds) { (void)control; (void)uid; (void)seconds; return -ENOSYS; }
pid_t workbook_zygote_fork(int control, const workbook_zygote_request *request, int output, int calls, int replies, int seconds) {
    (void)control; (void)request; (void)output; (void)calls; (void)replies; (void)seconds; return -ENOSYS;
}
int workbook_socketpair(int fds[2]) { (void)fds; return -ENOSYS; }
int workbook_runner_load(const char *library) { (void)library; return 127; }
#endif
