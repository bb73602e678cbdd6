"""The system calls a sandbox may make: an allow-list, compiled by libseccomp for the launcher.

The list starts from Docker's default seccomp profile (an allow-list that numerical libraries
run under in every container), less what a graded submission never needs and an attacker
would use (``REMOVED``). Sockets are ``AF_UNIX`` stream sockets only, never connected, bound
or accepted (Python's ``socketpair``): no TCP, UDP, netlink or raw socket can be opened, and
no socket of the machine's reached, in any tier.

A call not on the list fails with ``ENOSYS``, as a call the kernel does not have would, so the
C library falls back where it can (``clone3`` becomes ``clone``, as under Docker). A removed
call fails with ``EPERM``, and a socket of another family with ``EAFNOSUPPORT``.

The program is built here, in the grader, with ``pyseccomp`` (a binding to the system's
libseccomp); the launcher only loads it (``confine.load_seccomp``). Without libseccomp, no
filter is loaded and ``describe`` says so.
"""

import base64
import errno
import functools
import tempfile

DOCKER_DEFAULT = """
accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32
clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64
clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2
dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait
epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64
fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchown fchown32 fchownat fcntl
fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64
fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_time64 futex_waitv
futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid
getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid
getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list
getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid getuid32
getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl
io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup
io_submit io_uring_enter io_uring_register io_uring_setup ipc kill landlock_add_rule
landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat listen
listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise membarrier
memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2
mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend
mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall
munmap name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open
pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl
pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev
pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64
recvmsg remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq
rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend
rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr
sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler
sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr
sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop
semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid
setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority setregid
setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit
set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32 setxattr
shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn
socketcall socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync
sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun
timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime
timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit
umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid
waitpid write writev arch_prctl
""".split()
"""Docker's default profile: the calls it allows unconditionally (and ``arch_prctl``, which it
allows on x86); ``clone``, ``personality`` and ``socket`` it allows for some arguments only."""

REMOVED = frozenset(
    """
    connect bind listen accept accept4
    mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend
    mq_timedsend_time64 mq_unlink
    io_uring_enter io_uring_register io_uring_setup
    socketcall ipc
    ptrace process_vm_readv process_vm_writev perf_event_open bpf userfaultfd
    add_key request_key keyctl
    mount umount umount2 fsopen fsconfig fsmount fspick move_mount open_tree mount_setattr
    """.split()
)
"""Taken out (or never added): connecting to, binding and accepting sockets (the worker talks
through pipes, and a socket pair needs none of them: a path or abstract socket of the grader's
user, or another sandbox's, stays out of reach), POSIX message queues (a channel between
sandboxes that outlives them), io_uring (it makes socket and file calls this filter never
sees), the i386 multiplexers (they would hide ``socket``), tracing and reading other processes,
BPF and performance counters, kernel keyrings (not scoped by any namespace the sandbox makes),
mounts."""

SELF_ONLY = {
    "prlimit64": {0: 0},
    "setpriority": {0: 0, 1: 0},  # PRIO_PROCESS, itself (PRIO_USER 0 is every process of its user)
    "ioprio_set": {0: 1, 1: 0},  # IOPRIO_WHO_PROCESS, itself
    "sched_setaffinity": {0: 0},
    "sched_setscheduler": {0: 0},
    "sched_setparam": {0: 0},
    "sched_setattr": {0: 0},
}
"""Calls allowed only on the caller itself (argument index: the value it must have): not on
the grader, which runs as the same user in the limits-only tier (its limits would be a
channel, or a way to kill it; its priority a way to slow every later student)."""

ALLOWED = tuple(name for name in DOCKER_DEFAULT if name not in REMOVED | SELF_ONLY.keys())

AF_UNIX, SOCK_STREAM, SOCK_TYPE_MASK = 1, 1, 0xF
PERSONALITIES = (0, 0x0008, 0x20000, 0x20008, 0xFFFFFFFF)
"""``personality`` arguments Docker allows: query, and the harmless flags."""
NAMESPACE_FLAGS = 0x7E020000
"""``clone`` flags that make namespaces (Docker's mask): never, in any tier."""


@functools.cache
def program() -> bytes | None:
    """The compiled filter for this machine, or None without libseccomp."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError):  # the binding, or the system's libseccomp, is missing
        return None
    rules = seccomp.SyscallFilter(seccomp.ERRNO(errno.ENOSYS))
    # another ABI (x32, i386): refused the same way, not by killing a thread (the worker hung)
    rules.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.ERRNO(errno.ENOSYS))
    for name in ALLOWED:
        _add(seccomp, rules, seccomp.ALLOW, name)
    for name in REMOVED:
        _add(seccomp, rules, seccomp.ERRNO(errno.EPERM), name)
    for name in ("socket", "socketpair"):
        _add(seccomp, rules, seccomp.ERRNO(errno.EAFNOSUPPORT), name,
             seccomp.Arg(0, seccomp.NE, AF_UNIX))  # fmt: skip
    for name in ("socket", "socketpair"):  # a datagram pair could still send to an address
        _add(seccomp, rules, seccomp.ALLOW, name, seccomp.Arg(0, seccomp.EQ, AF_UNIX),
             seccomp.Arg(1, seccomp.MASKED_EQ, SOCK_TYPE_MASK, SOCK_STREAM))  # fmt: skip
    for name, values in SELF_ONLY.items():
        args = [seccomp.Arg(index, seccomp.EQ, value) for index, value in values.items()]
        _add(seccomp, rules, seccomp.ALLOW, name, *args)
    for value in PERSONALITIES:
        _add(seccomp, rules, seccomp.ALLOW, "personality", seccomp.Arg(0, seccomp.EQ, value))
    _add(seccomp, rules, seccomp.ALLOW, "clone",
         seccomp.Arg(0, seccomp.MASKED_EQ, NAMESPACE_FLAGS, 0))  # fmt: skip
    _add(seccomp, rules, seccomp.ERRNO(errno.EPERM), "unshare")
    _add(seccomp, rules, seccomp.ERRNO(errno.EPERM), "setns")
    with tempfile.TemporaryFile() as sink:
        rules.export_bpf(sink)
        sink.seek(0)
        return sink.read()


def encoded() -> str | None:
    """``program()`` as base64 text, for the launcher's JSON configuration."""
    compiled = program()
    return None if compiled is None else base64.b64encode(compiled).decode()


def _add(seccomp, rules, action: int, name: str, *args) -> None:
    try:
        rules.add_rule(action, name, *args)
    except (OSError, ValueError, RuntimeError):
        pass  # a name this architecture or this libseccomp does not have: nothing to allow


def describe() -> str:
    """One line for the isolation note."""
    if program() is None:
        return "no system-call filter (libseccomp was not found)"
    return (
        f"a system-call allow-list ({len(ALLOWED)} calls from Docker's default profile; "
        "sockets only as AF_UNIX stream pairs, never connected, bound or accepted; no POSIX "
        "message queues, io_uring, ptrace, BPF, keyrings or mounts; limits, priorities and "
        "CPU affinity of each process's own only)"
    )
