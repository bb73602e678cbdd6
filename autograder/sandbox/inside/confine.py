"""The last two locks before submission code runs, in every tier: Landlock and seccomp.

Standard library only (``ctypes``): the launcher calls them after dropping privileges, in the
worker's own process, so they bind the worker and everything it starts, for good.

**Landlock** (Linux 5.13 and later; ``abi()`` says which version): the worker may read only
the paths ``config["landlock"]["read"]`` lists and write only below ``["write"]``. From ABI 4 it
may neither bind nor connect a TCP socket; from ABI 6 its abstract Unix sockets and its
signals reach no process outside its own domain (not the grader, not another sandbox).

**seccomp**: loads the allow-list the grader compiled (``autograder.sandbox.syscalls``).
"""

import ctypes
import errno
import os

libc = ctypes.CDLL(None, use_errno=True)

# The Landlock calls have the same numbers on every architecture (the generic table).
CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
TRUNCATE, IOCTL_DEV = 1 << 14, 1 << 15
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
"""The only rights a rule on a file (not a folder) may carry."""
READ = EXECUTE | READ_FILE | READ_DIR
MAKE_CHAR, MAKE_SOCK, MAKE_BLOCK = 1 << 6, 1 << 9, 1 << 11
NEVER = MAKE_CHAR | MAKE_SOCK | MAKE_BLOCK
"""Rights not even its own folder gives: device nodes (a root worker could make a network
device or reach the kernel's), and sockets."""
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1


def fs_rights(version: int) -> int:
    """Every file-system right the kernel's Landlock ``version`` can handle."""
    rights = (1 << 13) - 1  # ABI 1: execute ... make_sym
    if version >= 2:
        rights |= 1 << 13  # refer: moving a file across folders
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def abi() -> int:
    """The kernel's Landlock ABI version; 0 where it has none (or it is turned off)."""
    try:
        version = libc.syscall(CREATE_RULESET, None, ctypes.c_size_t(0), CREATE_RULESET_VERSION)
    except (AttributeError, OSError):
        return 0
    return max(version, 0)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _check(result: int, what: str) -> int:
    if result < 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")
    return result


def restrict(read: list[str], write: list[str]) -> int:
    """Confine this thread and its future children with Landlock; returns the ABI used (0:
    none). Paths that do not exist are skipped. Needs no new privileges set first."""
    version = abi()
    if version == 0:
        return 0
    handled = fs_rights(version)
    attr = _RulesetAttr(handled, 0, 0)
    size = 8
    if version >= 4:
        attr.handled_access_net, size = NET_BIND_TCP | NET_CONNECT_TCP, 16
    if version >= 6:
        attr.scoped, size = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL, 24
    ruleset = _check(
        libc.syscall(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0),
        "landlock_create_ruleset",
    )
    try:
        for paths, rights in ((read, READ & handled), (write, handled & ~NEVER)):
            for path in paths:
                _allow(ruleset, path, rights)
        _check(libc.syscall(RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return version


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # not on this machine
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        _check(
            libc.syscall(ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0),
            f"landlock_add_rule {path}",
        )
    finally:
        os.close(fd)


PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_seccomp(program: bytes) -> None:
    """Load a compiled seccomp program (8-byte ``sock_filter`` instructions) on this thread;
    its children inherit it. Needs no new privileges set first."""
    if not program or len(program) % 8:
        raise OSError(errno.EINVAL, "seccomp: not a compiled filter")
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    _check(
        libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
        "prctl(PR_SET_SECCOMP)",
    )
