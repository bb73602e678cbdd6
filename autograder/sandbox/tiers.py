"""How confined a sandbox is on this machine: the three tiers, detected or forced."""

import functools
import os
import shutil
import subprocess

from autograder.sandbox import syscalls
from autograder.sandbox.cgroups import cgroup_bounds
from autograder.sandbox.inside import confine
from autograder.sandbox.limits import Limits

TIERS = ("namespaces", "permissions", "none")
TIER_NAMES = {
    "namespaces": "namespaces",
    "permissions": "user-and-permissions",
    "none": "limits only",
}
NAMESPACE_FLAGS = ["--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child"]


def isolation() -> str:
    """The tier sandboxes run in: ``"namespaces"``, ``"permissions"`` or ``"none"``.

    ``RNNLAB_SANDBOX`` forces one (for testing); otherwise the best this machine
    allows: namespaces if ``unshare`` works, else permissions for a root grader,
    else none.
    """
    forced = os.environ.get("RNNLAB_SANDBOX", "")
    if forced in TIERS:
        return forced
    if _namespaces_work():
        return "namespaces"
    return "permissions" if os.geteuid() == 0 else "none"


def available_tiers() -> list[str]:
    """Every tier this machine can run, best first."""
    tiers = ["namespaces"] if _namespaces_work() else []
    if os.geteuid() == 0:
        tiers.append("permissions")
    return [*tiers, "none"]


@functools.cache
def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    command = ["unshare", *user_flags(), *NAMESPACE_FLAGS, "true"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def landlock_abi() -> int:
    """The Landlock ABI sandboxes are confined with: the kernel's, or 0 (none, or
    ``RNNLAB_LANDLOCK=0``, which tests use to see a tier without it)."""
    if os.environ.get("RNNLAB_LANDLOCK") == "0":
        return 0
    return _kernel_landlock()


@functools.cache
def _kernel_landlock() -> int:
    return confine.abi()


def user_flags() -> list[str]:
    return [] if os.geteuid() == 0 else ["--map-root-user"]


def describe_isolation(tier: str | None = None) -> str:
    """What the sandbox could and could not stop on this machine, for the results."""
    tier = tier or isolation()
    limits = Limits()
    bounds = cgroup_bounds()
    own_user = os.geteuid() == 0 and tier != "none"
    if "memory" in bounds:
        memory = f"memory capped per sandbox in total ({bounds['memory']})"
    elif own_user:
        memory = (
            f"memory capped per process (address space) with at most {limits.processes} "
            "processes and threads, so at most that many times the per-process cap in all"
        )
    else:
        memory = "memory capped per process only (address space)"
    if "pids" in bounds:
        processes = f"processes capped per sandbox ({bounds['pids']})"
    elif own_user:
        processes = f"at most {limits.processes} processes and threads (RLIMIT_NPROC)"
    else:
        processes = "the number of processes not capped"
    common = f"time, CPU and file-size limits, {memory}, {processes}; {syscalls.describe()}"
    landlock = landlock_abi()
    network = "" if syscalls.program() else "use the network, "
    sockets = "" if syscalls.program() else "reach them through abstract Unix sockets, "
    confined = (
        f"Landlock ABI {landlock}: it could read only the system's libraries, the Python "
        "installation (without rnnlab's own packages), /proc, its runtime files and its own "
        "folder (elsewhere it could only see whether a file exists, with its size and times), "
        "and write only in its own folder"
        + (", open no TCP connection" if landlock >= 4 else "")
        + (
            ", and signal or reach by abstract socket no process outside it"
            if landlock >= 6
            else ""
        )
    )
    if tier == "namespaces":
        who = (
            "as its own unprivileged user (one per sandbox)"
            if os.geteuid() == 0
            else "without capabilities, as the grader's user in a user namespace"
        )
        return (
            f"sandbox: namespaces: submission code ran {who}, in fresh mount, PID, network, "
            "IPC and UTS namespaces, on an empty file system holding only the system "
            "libraries and Python (read-only, without rnnlab's own packages) and its own "
            f"folder (a {limits.disk_mb} MiB tmpfs, the only place it can write); no "
            f"network; {common}" + (f"; {confined}" if landlock else "")
        )
    best = "namespaces" if _namespaces_work() else "permissions" if os.geteuid() == 0 else "none"
    why = "(chosen with RNNLAB_SANDBOX)" if tier != best else None
    if tier == "permissions":
        why = why or "(no namespaces on this machine)"
        if landlock:
            return (
                f"sandbox: user-and-permissions {why}: submission code ran as its own "
                f"unprivileged user (one per sandbox, no new privileges), under {confined} "
                "(folders on the way to its own and to the Python installation that others "
                "could not enter were opened for passing through only, o+x, which stays on "
                f"this machine); {common}. It could still see other processes in /proc (their "
                "command "
                "lines), share System V IPC objects with other sandboxes running at the "
                "same time (removed afterwards), and fill its own folder's disk: file sizes "
                "are capped one by one, not in total"
            )
        return (
            f"sandbox: user-and-permissions {why}, without Landlock: submission code ran as "
            "its own unprivileged user (one per sandbox, no new privileges); the project "
            "(grader, reference, hidden checks), rnnlab's installed packages, the results "
            "and other submissions were made unreadable to other users before it ran (chmod "
            "o-rwx, which stays on this machine; folders on the way to the Python "
            "installation that others could not enter were opened for passing through only, "
            f"o+x), and only its own folder is writable by it; {common}. It could still "
            "read every world-readable file on this machine (the system, the Python "
            "installation, any other copy of the project left readable), write in "
            "world-writable folders such as /tmp and /dev/shm (what it left there was "
            f"removed afterwards), {network}see other processes (not signal them), share "
            "System V IPC objects it made accessible to all with other sandboxes running at "
            f"the same time (removed afterwards), {sockets}"
            "and fill the disk: file sizes are capped one by one, not in total"
        )
    leftovers = (
        "processes it started were killed with the sandbox (a cgroup), except after "
        "the grader itself was killed"
        if "kill" in bounds
        else "it could leave processes running after the sandbox ended"
    )
    why = why or "(no namespaces, and the grader is not root)"
    if landlock:
        return (
            f"sandbox: limits only {why}: submission code ran in separate processes as the "
            f"grader's own user, with {common}, under {confined}. It could still see the "
            "grader's other processes in /proc (and the names of the processes of a sandbox that "
            "just ended), keep IPC objects (System V) after it ended, "
            "fill the disk (file sizes are capped one by one)"
            + ("" if landlock >= 6 else " and signal them")
            + f"; {leftovers}"
        )
    return (
        f"sandbox: limits only {why}, without Landlock: submission code ran in separate "
        f"processes with {common}, but as the grader's own user: it could "
        "read files the grader can read (the reference, the hidden checks, other "
        f"submissions) and write where the grader can (it could forge results), {network}see "
        "and signal the grader's other processes (and the names of the processes of a sandbox "
        f"that just ended), {sockets}"
        "keep IPC objects and files in /tmp after it "
        f"ended, and fill the disk (file sizes are capped one by one); {leftovers}"
    )
