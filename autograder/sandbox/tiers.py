"""How confined a sandbox is on this machine: the three tiers, detected or forced."""

import functools
import os
import shutil
import subprocess

from autograder.sandbox.cgroups import cgroup_bounds
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
    common = f"time, CPU and file-size limits, {memory}, {processes}"
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
            f"network; {common}"
        )
    best = "namespaces" if _namespaces_work() else "permissions" if os.geteuid() == 0 else "none"
    why = "(chosen with RNNLAB_SANDBOX)" if tier != best else None
    if tier == "permissions":
        why = why or "(no namespaces on this machine)"
        return (
            f"sandbox: user-and-permissions {why}: submission code ran as its own "
            "unprivileged user (one per sandbox, no new privileges); the project (grader, "
            "reference, hidden checks), rnnlab's installed packages, the results and other "
            "submissions were made unreadable to other users before it ran (chmod o-rwx, "
            "which stays on this machine; folders on the way to the Python installation "
            "that others could not enter were opened for passing through only, o+x), and "
            f"only its own folder is writable by it; {common}. It could still read every "
            "world-readable file on "
            "this machine (the system, the Python installation, any other copy of the "
            "project left readable), write in world-writable folders such as /tmp and "
            "/dev/shm (what it left there was removed afterwards), use the network, see "
            "other processes (not signal them), share System V IPC objects it made "
            "accessible to all with other sandboxes running at the same time (removed "
            "afterwards), and fill the disk: file sizes are capped one by one, not in total"
        )
    leftovers = (
        "processes it started were killed with the sandbox (a cgroup), except after "
        "the grader itself was killed"
        if "kill" in bounds
        else "it could leave processes running after the sandbox ended"
    )
    why = why or "(no namespaces, and the grader is not root)"
    return (
        f"sandbox: limits only {why}: submission code ran in separate processes with "
        f"{common}, but as the grader's own user: it could "
        "read files the grader can read (the reference, the hidden checks, other "
        "submissions) and write where the grader can (it could forge results), use the "
        "network, see and signal the grader's other processes, keep IPC objects and files "
        f"in /tmp after it ended, and fill the disk (file sizes are capped one by one); "
        f"{leftovers}"
    )
