"""Run submission code in a separate, confined process and talk to it in plain data.

``Sandbox`` starts one worker process (``worker.py``) for a submission folder
and forwards calls to it; only plain data crosses back (``wire``). The grader
never imports or unpickles anything from the submission.

How confined the worker is depends on the machine: three tiers (``isolation()``,
``describe_isolation()``; ``RNNLAB_SANDBOX=namespaces|permissions|none`` forces one).

- ``namespaces`` (root, or unprivileged user namespaces allowed): fresh mount,
  PID, network, IPC and UTS namespaces, and an allow-listed file system: a new,
  empty root holding only the system libraries and the Python installation
  (read-only, rnnlab's own packages covered), a few generated ``/etc`` files,
  five device nodes, its own ``/proc``, and its own folder: a size-limited tmpfs,
  the only thing it can write (``allow_list()``). It runs as its own
  unprivileged user (root grader) or without any capability (user namespace).
  No network; its IPC objects and processes die with it.
- ``permissions`` ("user-and-permissions"; a root grader that cannot make
  namespaces, e.g. Docker's default seccomp profile): the worker runs as its
  own unprivileged user with no new privileges, under Landlock (below); without
  Landlock, the project, rnnlab's installed packages, the results and other
  submissions are made unreadable to other users first (``chmod o-rwx``, for good:
  this changes the grading machine's permissions; ``PERMISSION_CHANGES`` lists
  what changed). A root
  guard process kills what that user left and removes its IPC objects and
  temporary files, also if the grader dies.
- ``none`` ("limits only"; not root, no namespaces): separate processes and
  limits, as the grader's own user.

In every tier, where the kernel offers them (``confine``): Landlock (``landlock_abi()``)
lets the worker read only the namespaces tier's allow-list and write only its own folder,
connect no TCP socket (ABI 4), and reach no process outside it by signal or abstract Unix
socket (ABI 6); in the permissions tier it replaces the ``chmod``, kept only where Landlock
is missing. A system-call allow-list (``syscalls``, Docker's default profile less sockets
other than ``AF_UNIX``, POSIX queues, io_uring, ptrace, BPF, keyrings and mounts) is loaded
last. The isolation note says what held.

In every tier: a wall-clock timeout per call, a memory cap per process
(``RLIMIT_AS``), a CPU cap, a file-size cap, the submission's printing kept to
its first 64 KiB, and, where this machine lets the grader make cgroups, one
cgroup per sandbox capping its memory and processes in total.

Each sandbox's own user is a uid from ``UID_BASE`` up, claimed with a lock file
in a root-only folder and not used by any process, so ``RLIMIT_NPROC`` (which
counts per user) bounds that sandbox alone.

The package is split by concern: ``errors``, ``limits``, ``tiers``, ``view`` (the
namespaces tier's root), ``cgroups``, ``uids``, ``lockdown`` (the permissions tier),
``process`` (``Sandbox``), ``removal``, ``warm`` (zygotes), ``syscalls``, and ``inside/``:
the code that runs in the sandbox, which never imports the engine. The names below are its
public API.
"""

from autograder.sandbox.cgroups import Cgroups, cgroup_bounds, container_room_mb
from autograder.sandbox.errors import (
    SandboxCrash,
    SandboxError,
    SandboxLost,
    SandboxSetupError,
    SandboxTimeout,
    StudentError,
    student_error,
)
from autograder.sandbox.limits import Limits
from autograder.sandbox.lockdown import PERMISSION_CHANGES, lock_down, restore_permissions
from autograder.sandbox.process import OUTPUT_KEPT, Sandbox
from autograder.sandbox.syscalls import program as syscall_program
from autograder.sandbox.tiers import (
    TIER_NAMES,
    TIERS,
    available_tiers,
    describe_isolation,
    isolation,
    landlock_abi,
)
from autograder.sandbox.turns import memory_turn
from autograder.sandbox.uids import UID_BASE, UID_COUNT, claim_uid, release_uid
from autograder.sandbox.view import allow_list

__all__ = [
    "container_room_mb",
    "memory_turn",
    "OUTPUT_KEPT",
    "PERMISSION_CHANGES",
    "TIERS",
    "TIER_NAMES",
    "UID_BASE",
    "UID_COUNT",
    "Cgroups",
    "Limits",
    "SandboxLost",
    "Sandbox",
    "SandboxCrash",
    "SandboxError",
    "SandboxSetupError",
    "SandboxTimeout",
    "StudentError",
    "allow_list",
    "available_tiers",
    "cgroup_bounds",
    "claim_uid",
    "describe_isolation",
    "isolation",
    "landlock_abi",
    "lock_down",
    "release_uid",
    "restore_permissions",
    "student_error",
    "syscall_program",
]
