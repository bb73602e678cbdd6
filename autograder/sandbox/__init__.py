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
  own unprivileged user with no new privileges; the project, rnnlab's
  installed packages, the results and other submissions are made unreadable
  to other users first (``chmod o-rwx``, for good: this changes the grading
  machine's permissions; ``PERMISSION_CHANGES`` lists what changed). A root
  guard process kills what that user left and removes its IPC objects and
  temporary files, also if the grader dies.
- ``none`` ("limits only"; not root, no namespaces): separate processes and
  limits; the submission can do what the grader's user can (see the note).

In every tier: a wall-clock timeout per call, a memory cap per process
(``RLIMIT_AS``), a CPU cap, a file-size cap, the submission's printing kept to
its first 64 KiB, and, where this machine lets the grader make cgroups, one
cgroup per sandbox capping its memory and processes in total.

Each sandbox's own user is a uid from ``UID_BASE`` up, claimed with a lock file
in a root-only folder and not used by any process, so ``RLIMIT_NPROC`` (which
counts per user) bounds that sandbox alone.
"""

import builtins
import contextlib
import errno
import fcntl
import functools
import importlib.metadata
import importlib.util
import json
import os
import random
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import launcher as _launcher
from autograder.sandbox import warm as _warm
from autograder.sandbox import wire

RUNTIME_FILES = ("worker.py", "wire.py", "launcher.py")
ZYGOTE = "zygote.py"
"""The runtime file a warm sandbox's zygote runs (``warm``)."""
HELPER = "rnnlab_helper.py"
"""The name a profile's helper gets in the worker's runtime folder."""
OUTPUT_KEPT = 64 << 10
START_TIMEOUT = 120.0
"""Seconds a worker may take to say hello (a loaded machine imports numpy slowly)."""
SETUP_OUTPUT_SHOWN = 2000
"""Characters of the sandbox's output a ``SandboxSetupError`` shows (its last ones)."""
TIERS = ("namespaces", "permissions", "none")
TIER_NAMES = {
    "namespaces": "namespaces",
    "permissions": "user-and-permissions",
    "none": "limits only",
}
NAMESPACE_FLAGS = ["--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child"]
UID_BASE, UID_COUNT = 1_000_000, 100_000
"""Each sandbox of a root grader runs as its own uid from this range (gid the same)."""
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
"""The system's programs and libraries, bound read-only into a namespaces sandbox."""
ETC_FILES = ("/etc/ld.so.cache",)
"""The machine's /etc files a namespaces sandbox sees (passwd, group, nsswitch.conf and
hosts are generated; without localtime glibc uses UTC)."""
GENERATED_ETC = ("/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts")
OWN_PACKAGES = ("autograder", "reference", "data", "assignment")
"""rnnlab's own top-level packages: never visible to submission code."""
INSIDE = {"work": "/sandbox/work", "tmp": "/sandbox/tmp", "runtime": "/runtime"}
"""Where a namespaces sandbox sees its folder, its temporary folder and the runtime."""
THREADS = "2"
"""Threads per pool for OpenMP and BLAS (a profile's env sets other libraries'): threads count
against the process cap."""
PERMISSION_CHANGES: dict[str, int] = {}
"""Paths whose mode the permissions tier changed, with the mode each had before."""


class SandboxError(Exception):
    """The submission's process failed (not the submission's function)."""


class SandboxTimeout(SandboxError):
    """A call did not return in time; the worker was killed."""


class SandboxCrash(SandboxError):
    """The worker died (exit, signal, memory) or broke the protocol."""


class SandboxSetupError(Exception):
    """The sandbox never started: the machine's or the grader's fault, not the submission's.

    Not a ``SandboxError`` (those are charged to the submission). The message
    ends with what the launcher and the worker printed.
    """


class StudentError(Exception):
    """The submission's code raised; ``info`` is the worker's plain-data description.

    ``student_error`` makes it also an instance of the builtin exception the
    submission raised (``ValueError``, ...), so a test's
    ``pytest.raises(ValueError)`` means the same here as next to the code.
    """

    def __init__(self, info: dict) -> None:
        self.info = info
        self.type = str(info.get("type", "Exception"))
        self.bases = [str(b) for b in info.get("bases", [])]
        super().__init__(str(info.get("message", "")))

    def is_a(self, name: str) -> bool:
        return name in self.bases or name == self.type


@functools.cache
def _as_builtin(name: str) -> type[StudentError]:
    base = getattr(builtins, name, None)
    if not (isinstance(base, type) and issubclass(base, Exception)) or base is Exception:
        return StudentError
    try:
        return type(f"Student{name}", (StudentError, base), {})
    except TypeError:  # a base whose layout cannot be mixed in (OSError, ...)
        return StudentError


def student_error(info: dict) -> StudentError:
    bases = [str(b) for b in info.get("bases", [])] or [str(info.get("type", ""))]
    return next(
        (_as_builtin(b) for b in bases if _as_builtin(b) is not StudentError), StudentError
    )(info)


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048
    """Address space per process; with a memory cgroup, also the sandbox's total."""
    cpu_seconds: int = 600
    file_mb: int = 64
    processes: int = 16
    """Processes and threads of the sandbox's user: the lab's heaviest question peaks at 9 (its
    library's thread pools held to two each), a numpy one at 3."""
    disk_mb: int = 256
    """The namespaces tier's tmpfs: the submission's folder, /tmp and /dev/shm together."""


# -- tiers -------------------------------------------------------------------------------


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
    command = ["unshare", *_user_flags(), *NAMESPACE_FLAGS, "true"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _user_flags() -> list[str]:
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


# -- what a namespaces sandbox sees -------------------------------------------------------


@functools.cache
def _worker_sys_path(executable: str) -> tuple[str, ...]:
    """The worker interpreter's own ``sys.path`` (``-I``): site-packages and .pth folders."""
    code = "import json, sys; print(json.dumps(sys.path))"
    try:
        done = subprocess.run(
            [executable, "-I", "-c", code], capture_output=True, text=True, timeout=120
        )
        return tuple(json.loads(done.stdout.splitlines()[-1]))
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return ()  # a broken interpreter: starting the worker will say why


def _python_paths() -> list[Path]:
    """The Python installation the worker runs on: its prefixes and every folder on its path.

    A path folder that is the project or lies in it (a legacy editable install
    puts the project itself on the path) is left out, unless it is inside a
    prefix (a virtual environment kept in the project): the worker never needs
    rnnlab itself.
    """
    import site

    from autograder import ROOT

    prefixes = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    paths = set(prefixes)
    paths.update(Path(p).resolve() for p in site.getsitepackages() if Path(p).exists())
    for entry in _worker_sys_path(sys.executable):
        path = Path(entry).resolve() if entry else None
        if path is None or not path.exists():
            continue
        if path.is_relative_to(ROOT) and not any(path.is_relative_to(p) for p in prefixes):
            continue
        paths.add(path)
    return sorted(paths)


@functools.cache
def _own_package_dirs() -> tuple[Path, ...]:
    """Where rnnlab's own packages are: the project's, and any installed copy."""
    from autograder import ROOT

    found = {ROOT / name for name in OWN_PACKAGES if (ROOT / name).is_dir()}
    for name in OWN_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            found.update(Path(p).resolve() for p in spec.submodule_search_locations)
    try:  # an installed copy (``pip install .``, a wheel): its files say where it went
        dist = importlib.metadata.distribution("rnnlab")
    except importlib.metadata.PackageNotFoundError:
        dist = None
    for file in (dist and dist.files) or []:
        if file.parts and file.parts[0] in OWN_PACKAGES:
            found.add(Path(dist.locate_file(file.parts[0])).resolve())
    return tuple(sorted(p for p in found if p.is_dir()))


def _covers(candidates: list[Path], binds: list[Path], keep: list[Path]) -> list[Path]:
    """What to cover with an empty file system so no ``candidates`` show through ``binds``.

    A candidate inside a bound folder is covered whole, unless a ``keep`` path
    (a folder of the Python installation) lies inside it: then each of its
    entries is, but the way to that path.
    """
    covers: list[Path] = []

    def cover(path: Path) -> None:
        if path in keep or not path.is_dir() or path.is_symlink():
            return
        if not any(k.is_relative_to(path) for k in keep):
            covers.append(path)
            return
        for child in path.iterdir():
            cover(child)

    for path in candidates:
        if any(path.is_relative_to(b) and path != b for b in binds):
            cover(path)
    return sorted(set(covers))


def _root_plan(hidden: list[Path]) -> dict:
    """The allow-list: what the launcher puts in a namespaces sandbox's new root."""
    from autograder import ROOT

    system = [Path(p) for p in SYSTEM_PATHS if os.path.isdir(p) and not os.path.islink(p)]
    paths = _python_paths()
    binds = [  # the outermost folders only; the system's are bound whole anyway
        p
        for p in paths
        if not any(p.is_relative_to(s) for s in system)
        and not any(p != q and p.is_relative_to(q) for q in paths)
    ]
    # The project and rnnlab's packages wherever a bound folder would show them: in
    # site-packages (an installed copy), or the project itself kept in /usr or /opt/venv.
    candidates = [ROOT, *_own_package_dirs(), *hidden]
    return {
        "system": [p for p in SYSTEM_PATHS if os.path.lexists(p)],
        "binds": [str(p) for p in binds],
        "covers": [str(p) for p in _covers(candidates, [*system, *binds], keep=paths)],
        "etc": [p for p in ETC_FILES if os.path.isfile(p)],
        # /tmp is the sandbox's own, unless the Python installation lies there (a test's
        # virtual environment): then /tmp holds the way to it, read-only; TMPDIR still works.
        "tmp": not any(b.is_relative_to("/tmp") for b in binds),
    }


def allow_list(hidden: list[Path] = ()) -> list[str]:
    """Every path a namespaces sandbox has in its root (below each, only what is there)."""
    plan = _root_plan([Path(p) for p in hidden])
    devices = [f"/dev/{name}" for name in _launcher.DEVICES]
    fixed = ["/proc", "/runtime", "/sandbox", "/dev/shm", "/dev/fd"]
    fixed += ["/dev/stdin", "/dev/stdout", "/dev/stderr"] + ["/tmp"] * plan["tmp"]
    return sorted({*plan["system"], *plan["binds"], *plan["etc"], *GENERATED_ETC, *devices, *fixed})


# -- cgroups: a true total for memory and processes, and a kill switch ---------------------


def _own_cgroups() -> dict[str, Path]:
    """This process's cgroup folder per hierarchy: "memory", "pids" (v1) and "" (v2)."""
    mounts: dict[str, tuple[str, str]] = {}
    try:
        with open("/proc/self/mountinfo") as info:
            for line in info:
                fields = line.split()
                tail = fields[fields.index("-") + 1 :]
                root, point = _launcher._unescape(fields[3]), _launcher._unescape(fields[4])
                if tail[0] == "cgroup2":
                    mounts.setdefault("", (point, root))
                elif tail[0] == "cgroup":
                    for option in tail[2].split(","):
                        if option in ("memory", "pids"):
                            mounts.setdefault(option, (point, root))
        with open("/proc/self/cgroup") as own:
            lines = own.read().splitlines()
    except (OSError, ValueError, IndexError):
        return {}
    folders = {}
    for line in lines:
        number, controllers, path = line.split(":", 2)
        for name in [""] if number == "0" else controllers.split(","):
            if name in mounts and name not in folders:
                point, root = mounts[name]
                if _launcher.inside(path, root):
                    relative = os.path.relpath(path, root).removeprefix(".")
                    folders[name] = Path(point, relative.lstrip("/"))
    return folders


_OPTIONAL_SETTINGS = ("memory.swap.max", "memory.memsw.limit_in_bytes")


def _write_file(path: Path, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


class Cgroups:
    """One sandbox's cgroups: memory and process caps where writable, and v2's kill switch."""

    _count = 0
    _count_lock = threading.Lock()

    def __init__(self, limits: Limits) -> None:
        self.folders: list[Path] = []
        """The cgroups the sandbox's processes join."""
        self.bounds: dict[str, str] = {}
        """Which caps apply: "memory" and "pids" → "cgroup v1" or "cgroup v2"; "kill"."""
        self.kill_switch: Path | None = None
        with Cgroups._count_lock:
            Cgroups._count += 1
            name = f"rnnlab-sandbox-{os.getpid()}-{Cgroups._count}"
        own = _own_cgroups()
        memory, tasks = str(limits.memory_mb << 20), str(limits.processes)
        if "" in own:
            try:
                enabled = set((own[""] / "cgroup.subtree_control").read_text().split())
            except OSError:
                enabled = set()
            settings = {"memory.max": memory, "memory.swap.max": "0", "pids.max": tasks}
            self._make(own[""], name, "cgroup v2", enabled, settings)
        for controller, settings in [
            ("memory", {"memory.limit_in_bytes": memory, "memory.memsw.limit_in_bytes": memory}),
            ("pids", {"pids.max": tasks}),
        ]:
            if controller in own and controller not in self.bounds:
                self._make(own[controller], name, "cgroup v1", {controller}, settings)

    def _make(self, parent: Path, name: str, kind: str, controllers: set, settings: dict) -> None:
        _remove_stale_cgroups(parent)
        folder = parent / name
        try:
            folder.mkdir()
        except OSError:
            return
        applied = set()
        for key, value in settings.items():
            controller = key.split(".")[0]
            if controller not in controllers or controller in self.bounds:
                continue
            try:
                _write_file(folder / key, value)
            except OSError:
                continue
            if key not in _OPTIONAL_SETTINGS:  # without swap accounting, the cap alone
                applied.add(controller)
        for controller in applied:
            self.bounds[controller] = kind
        if (folder / "cgroup.kill").exists():
            self.kill_switch = folder / "cgroup.kill"
            self.bounds["kill"] = kind
        if applied or self.kill_switch is not None:
            self.folders.append(folder)
        else:
            _rmdir_quietly(folder)

    def processes(self) -> list[int]:
        pids: set[int] = set()
        for folder in self.folders:
            try:
                pids.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                pass
        return sorted(pids)

    def kill(self) -> None:
        """Kill every process in the sandbox's cgroups (atomically with v2's switch)."""
        if self.kill_switch is not None:
            try:
                _write_file(self.kill_switch, "1")
            except OSError:
                pass
        deadline = time.monotonic() + 5
        while (pids := self.processes()) and time.monotonic() < deadline:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)

    def oom_kills(self) -> int:
        """How many of the sandbox's processes the kernel killed for memory."""
        for folder in self.folders:
            for name in ("memory.events", "memory.oom_control"):
                try:
                    for line in (folder / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill" and int(value) > 0:
                            return int(value)
                except (OSError, ValueError):
                    continue
        return 0

    def remove(self) -> None:
        self.kill()
        for folder in self.folders:
            _rmdir_quietly(folder)
        self.folders = []


def _rmdir_quietly(folder: Path, patience: float = 5.0) -> None:
    """rmdir a cgroup; it is busy for a moment while its last processes exit."""
    deadline = time.monotonic() + patience
    while True:
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as error:
            if error.errno != errno.EBUSY or time.monotonic() > deadline:
                return
            time.sleep(0.02)


def _remove_stale_cgroups(parent: Path) -> None:
    """Remove the sandbox cgroups of graders that died (they could not remove their own)."""
    try:
        children = [c for c in parent.iterdir() if c.name.startswith("rnnlab-sandbox-")]
    except OSError:
        return
    for child in children:
        try:
            pid = int(child.name.split("-")[2])
            os.kill(pid, 0)
            continue  # its grader is alive
        except ProcessLookupError:
            pass
        except (ValueError, IndexError, PermissionError):
            continue
        stale = Cgroups.__new__(Cgroups)
        stale.folders, stale.bounds = [child], {}
        kill = child / "cgroup.kill"
        stale.kill_switch = kill if kill.exists() else None
        stale.remove()


@functools.cache
def cgroup_bounds() -> dict[str, str]:
    """Which cgroup caps a sandbox gets on this machine (made once, then removed)."""
    probe = Cgroups(Limits())
    probe.remove()
    return dict(probe.bounds)


# -- the sandbox's own user ------------------------------------------------------------------


def _claims_folder() -> Path:
    """A root-only folder for the uid lock files (refused if anyone else could write it)."""
    for base in ("/run", tempfile.gettempdir()):
        folder = Path(base) / "rnnlab-sandbox-uids"
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError:
            continue
        info = folder.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and not info.st_mode & 0o077:
            return folder
    raise SandboxSetupError("no root-only folder for the sandbox users' lock files")


def claim_uid() -> tuple[int, int]:
    """A uid of the reserved range that no process and no live sandbox uses, and its lock.

    The lock (a flock on ``UID.lock``) is held by the grader for the sandbox's
    life; ``release_uid`` unlinks the file while still holding it, so a claimer
    checks that the file it locked is still the one at that path.
    """
    folder = _claims_folder()
    _remove_stale_claims(folder)
    pick = random.SystemRandom()
    for _ in range(200):
        uid = UID_BASE + pick.randrange(UID_COUNT)
        path = folder / f"{uid}.lock"
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            same = os.fstat(handle).st_ino == os.stat(path, follow_symlinks=False).st_ino
        except OSError:
            same = False
        if same and not _launcher.user_processes(uid, zombies=True):
            return uid, handle
        os.close(handle)
    raise SandboxSetupError("no free sandbox user in the reserved range")


def _remove_stale_claims(folder: Path) -> None:
    """Remove the lock files of graders that died: nobody holds their lock."""
    for path in folder.glob("*.lock"):
        try:
            handle = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(handle).st_ino == os.stat(path, follow_symlinks=False).st_ino:
                path.unlink()  # while holding the lock, as release_uid does
        except OSError:
            pass
        finally:
            os.close(handle)


def release_uid(uid: int, handle: int) -> None:
    try:
        (_claims_folder() / f"{uid}.lock").unlink(missing_ok=True)
    except (OSError, SandboxSetupError):
        pass
    os.close(handle)


# -- the permissions tier: what other users may not read -------------------------------------

_permissions_lock = threading.Lock()


def _restrict(path: Path, keep: list[Path]) -> None:
    """Make ``path`` unreadable to other users, but for the way down to each ``keep`` path.

    On that way, folders keep only ``o+x``: others may pass through, not list,
    and every other entry loses its permissions for others. A kept path is left
    as it is. Opening a folder this way exposes nothing that was hidden before.
    """
    try:
        info = path.lstat()
    except OSError:
        return
    if stat.S_ISLNK(info.st_mode) or path in keep:
        return
    on_the_way = stat.S_ISDIR(info.st_mode) and any(k.is_relative_to(path) for k in keep)
    mode = stat.S_IMODE(info.st_mode)
    new = (mode & ~0o007) | (0o001 if on_the_way else 0)
    if new != mode:
        PERMISSION_CHANGES.setdefault(str(path), mode)
        os.chmod(path, new)
    if on_the_way:
        for child in path.iterdir():
            _restrict(child, keep)


def _protectable(path: Path) -> bool:
    """Not the system, nor a shared scratch folder (/tmp: others must keep writing there)."""
    if any(Path(s).is_relative_to(path) for s in (*SYSTEM_PATHS, "/etc", "/proc", "/dev")):
        return False
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (mode & stat.S_ISVTX and mode & 0o002)


def lock_down(protected: list[Path], keep: list[Path]) -> None:
    """Make ``protected`` unreadable to other users, and ``keep`` reachable by them."""
    keep = [k.resolve() for k in keep]
    with _permissions_lock:
        for path in sorted({p.resolve() for p in protected}):
            if _protectable(path):
                _restrict(path, keep)
        for kept in keep:  # a Python installed in root's home: open the way, only the way
            for folder in reversed(kept.parents):
                try:
                    closed = not folder.stat().st_mode & 0o001
                except OSError:
                    break
                if closed and _protectable(folder):
                    _restrict(folder, keep)
                    break


def restore_permissions() -> None:
    """Give back the modes the permissions tier changed in this process (a test machine's)."""
    with _permissions_lock:
        for path, mode in sorted(PERMISSION_CHANGES.items(), reverse=True):
            try:
                os.chmod(path, mode)
            except OSError:
                pass
        PERMISSION_CHANGES.clear()


# -- the sandbox ----------------------------------------------------------------------------


class Sandbox:
    """One worker process serving one submission folder."""

    max_reply: int = wire.MAX_FRAME
    """The largest reply frame accepted (bytes); a larger one is the worker's garbage."""
    _requests: int | None = None
    _replies: int | None = None
    _drainer: threading.Thread | None = None

    def __init__(
        self,
        submission: Path,
        *,
        hidden: list[Path] = (),
        limits: Limits = Limits(),
        env: dict[str, str] | None = None,
        tier: str | None = None,
        helper: Path | None = None,
        preload: tuple[str, ...] = (),
        warm: bool | None = None,
    ) -> None:
        self.submission = Path(submission)
        self.preload = tuple(preload)
        """Libraries imported before the submission: a warm sandbox has them already."""
        self.warm = _warm.enabled() if warm is None else warm
        """Forked from a zygote (``warm``) rather than started as a new Python."""
        self.helper = helper
        """A Python file the worker imports before the submission: ``probe`` calls it."""
        self.hidden = [Path(p) for p in hidden]
        self.limits = limits
        self.extra_env = env or {}
        self.tier = tier
        """The tier to run in; None: ``isolation()`` when started."""
        self.uid: int | None = None
        """The sandbox's own user, while it runs (a root grader, not the limits-only tier)."""
        self.cgroups: Cgroups | None = None
        self.process: subprocess.Popen | _warm.Child | None = None
        self.output = bytearray()
        self.output_total = 0
        self._folder: Path | None = None
        self._uid_lock: int | None = None
        self._output_lock = threading.Lock()

    # -- lifetime --------------------------------------------------------------

    def start(self) -> None:
        """Start the worker and wait for its hello; ``SandboxSetupError`` if it never says it."""
        self.tier = self.tier or isolation()
        if self.tier not in TIERS:
            raise SandboxSetupError(f"no sandbox tier {self.tier!r} (one of {', '.join(TIERS)})")
        if self.tier == "permissions" and os.geteuid() != 0:
            raise SandboxSetupError("the permissions tier needs a grader running as root")
        self._folder = Path(tempfile.mkdtemp(prefix="rnnlab-sandbox-"))
        try:
            self._launch()
            self._wait_for_hello()
        except BaseException:
            self.close()
            raise

    def _launch(self) -> None:
        tier, folder = self.tier, self._folder
        runtime, work = folder / "runtime", folder / "work"
        runtime.mkdir()
        here = Path(__file__).parent
        for name in RUNTIME_FILES:
            shutil.copy(here / name, runtime / name)
        if self.helper is not None:
            shutil.copy(self.helper, runtime / HELPER)
        shutil.copytree(self.submission, work, symlinks=False)
        runtime.chmod(0o755)
        if os.geteuid() == 0 and tier != "none":
            self.uid, self._uid_lock = claim_uid()
        self.cgroups = Cgroups(self.limits)

        requests_r, self._requests = os.pipe()
        self._replies, replies_w = os.pipe()
        if tier == "namespaces":
            where = INSIDE
        else:
            where = {"work": str(work), "tmp": str(work), "runtime": str(runtime)}
        config = {
            "tier": tier,
            "uid": self.uid,
            "lifeline": requests_r,
            "replies": replies_w,
            "cgroups": [str(f) for f in self.cgroups.folders],
            "cgroup_kill": self.cgroups.kill_switch and str(self.cgroups.kill_switch),
            "work": where["work"],
            "home": where["work"],
            "limits": self._rlimits(),
            "argv": [
                sys.executable,
                "-I",
                f"{where['runtime']}/worker.py",
                str(requests_r),
                str(replies_w),
                where["work"],
            ],
            "env": self._env(where["work"], where["tmp"]),
            "user_namespace": bool(_user_flags()),
        }
        command = [sys.executable, "-I", str(runtime / "launcher.py")]
        if tier == "namespaces":
            root = folder / "root"
            root.mkdir()
            config.update(_root_plan([*self.hidden, self.submission.resolve().parent]))
            config.update(
                root=str(root),
                staging=str(work),
                runtime=str(runtime),
                disk_bytes=self.limits.disk_mb << 20,
                inodes=max(1024, self.limits.disk_mb * 64),
            )
            command = ["unshare", *_user_flags(), *NAMESPACE_FLAGS, *command]
        elif tier == "permissions":
            folder.chmod(0o711)  # its user passes through to its folders, lists nothing
            self._lock_down()
        if self.warm:
            self._fork(config, requests_r, replies_w)
            return
        # The permissions tier's guard must outlive the grader to clean up: it watches the
        # requests pipe instead of a parent-death signal.
        if tier != "permissions" and shutil.which("setpriv"):
            command = ["setpriv", "--pdeathsig", "KILL", *command]
        try:
            self.process = subprocess.Popen(
                [*command, json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(requests_r, replies_w),
                start_new_session=True,
            )
        except OSError as error:
            raise SandboxSetupError(f"the sandbox could not be started: {error}") from None
        finally:
            os.close(requests_r)
            os.close(replies_w)
        self._start_drainer()

    def _fork(self, config: dict, requests_r: int, replies_w: int) -> None:
        """Fork the sandbox from this grader's zygote for its libraries; it reads ``config``
        as its first request."""
        try:
            try:
                self.process = self.zygote().spawn(requests_r, replies_w)
            except _warm.ZygoteError:  # it died since it was found alive: once more, anew
                self.process = self.zygote().spawn(requests_r, replies_w)
        except (_warm.ZygoteError, OSError) as error:
            raise SandboxSetupError(f"the sandbox could not be started: {error}") from None
        finally:
            os.close(requests_r)
            os.close(replies_w)
        self._start_drainer()
        try:
            wire.send(self._requests, config, time.monotonic() + START_TIMEOUT)
        except (wire.WireTimeout, OSError):
            pass  # it died first: waiting for its hello says how

    def zygote(self) -> _warm.Zygote:
        """The zygote this sandbox forks from (started now if it is not yet running)."""
        here = Path(__file__).parent
        return _warm.zygote(
            [here / name for name in (*RUNTIME_FILES, ZYGOTE)],
            self.helper,
            self.preload,
            self._env("/", tempfile.gettempdir()),
            timeout=START_TIMEOUT,
        )

    def prewarm(self) -> None:
        """Start this sandbox's zygote in the background, so that its libraries import
        while the grader does other work; ``start`` waits for it."""
        if self.warm:
            threading.Thread(target=self._quiet_zygote, daemon=True).start()

    def _quiet_zygote(self) -> None:
        with contextlib.suppress(_warm.ZygoteError, OSError):  # start() reports it
            self.zygote()

    def _start_drainer(self) -> None:
        self._drainer = threading.Thread(
            target=self._drain, args=(self.process.stdout.fileno(),), daemon=True
        )
        self._drainer.start()

    def _lock_down(self) -> None:
        """Before any submission code runs: what its user must not read, it cannot."""
        from autograder import ROOT

        protected = [ROOT, *_own_package_dirs(), *self.hidden, Path.home()]
        protected.append(self.submission.resolve().parent)
        lock_down(protected, keep=[*_python_paths(), self._folder])

    def _wait_for_hello(self) -> None:
        """The worker's first frame says it runs; nothing of the submission's has run yet."""
        try:
            hello = wire.receive(self._replies, time.monotonic() + START_TIMEOUT, max_frame=1 << 10)
        except wire.WireTimeout:
            problem, exiting = f"no hello within {START_TIMEOUT:.0f} s", False
        except EOFError:
            problem, exiting = "it exited before it was ready", True
        except (wire.WireError, OSError) as error:
            problem, exiting = f"it sent garbage instead of its hello ({error})", False
        else:
            if type(hello) is dict and list(hello) == ["value"] and hello["value"] == "ready":
                return
            problem, exiting = f"it sent {str(hello)[:200]} instead of its hello", False
        report = self._setup_report(exiting)
        raise SandboxSetupError(f"the sandbox did not start: {problem}{report}")

    def _setup_report(self, exiting: bool) -> str:
        """How the launcher ended and the end of what it printed, for the instructor."""
        code = None
        if exiting:  # its own exit code says why; give it a moment to finish
            try:
                code = self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self._kill()  # and whatever it left in its process group
        if self._drainer is not None:
            self._drainer.join(timeout=5)
        status = "" if code is None else f" (exit code {code})"
        text = bytes(self.output).decode("utf-8", "replace")[-SETUP_OUTPUT_SHOWN:].strip()
        return f"{status}; its output:\n{text}" if text else f"{status}; it printed nothing"

    def close(self) -> None:
        """Kill the worker and everything it started; remove all it left. Never raises."""
        if self.process is not None:
            self._kill()
            self.process = None
        for fd in (self._requests, self._replies):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._requests = self._replies = None
        if self.uid is not None and self.tier == "permissions":
            _launcher.remove_user_traces(self.uid)  # its IPC objects, its files in /tmp
        if self.cgroups is not None:
            self.cgroups.remove()
            self.cgroups = None
        if self._folder is not None:
            _remove_tree(self._folder)
            self._folder = None
        if self._uid_lock is not None:  # last: nothing of that user is left
            release_uid(self.uid, self._uid_lock)
            self._uid_lock = None
        self.uid = None

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- requests --------------------------------------------------------------

    def import_module(
        self, name: str | None, timeout: float, preload: tuple[str, ...] = ()
    ) -> None:
        """Import the submission's module ``name`` (None: none), after the libraries in
        ``preload``."""
        self.request({"op": "import", "module": name, "preload": list(preload)}, timeout)

    def call(self, module: str, function: str, args=(), kwargs=None, *, timeout: float):
        return self.request(
            {
                "op": "call",
                "module": module,
                "function": function,
                "args": list(args),
                "kwargs": kwargs or {},
            },
            timeout,
        )

    def probe(self, module: str, name: str, args=(), kwargs=None, *, timeout: float):
        """The helper's ``name(<module, if imported here>, *args, **kwargs)``."""
        request = {"op": "probe", "module": module, "name": name, "args": list(args)}
        return self.request({**request, "kwargs": kwargs or {}}, timeout)

    def request(self, message: dict, timeout: float):
        """Send one request and wait for its reply; raise what went wrong.

        One deadline, ``timeout`` from now, covers writing the whole request and
        reading the whole reply: a worker that stops reading, or sends half a
        frame and sleeps, times out like an endless loop.
        """
        if not self.alive:
            raise SandboxCrash(self._death())
        frame = wire.pack(message)  # the grader's own data: an error here is the grader's
        deadline = time.monotonic() + max(timeout, 0.0)
        try:
            wire.write(self._requests, frame, deadline)
            reply = wire.receive(self._replies, deadline, max_frame=self.max_reply)
        except wire.WireTimeout:
            self._kill()
            raise SandboxTimeout(f"no answer within {timeout:.0f} s (an endless loop?)") from None
        except (EOFError, OSError):  # a broken pipe, or the reply cut short: it is gone
            raise SandboxCrash(self._death()) from None
        except wire.WireError as error:
            self._kill()
            raise SandboxCrash(f"the submission's process sent garbage: {error}") from None
        if not isinstance(reply, dict) or not ({"value", "error"} & set(reply)):
            self._kill()
            raise SandboxCrash("the submission's process sent a malformed reply")
        if "error" in reply:
            info = reply["error"] if isinstance(reply["error"], dict) else {}
            raise student_error(info)
        return reply["value"]

    # -- helpers ---------------------------------------------------------------

    def _rlimits(self) -> dict:
        limits = {
            "RLIMIT_AS": self.limits.memory_mb << 20,
            "RLIMIT_CPU": self.limits.cpu_seconds,
            "RLIMIT_FSIZE": self.limits.file_mb << 20,
            "RLIMIT_CORE": 0,
        }
        if self.uid is not None:  # counted per user: the sandbox's own user's alone
            limits["RLIMIT_NPROC"] = self.limits.processes
        return limits

    def _env(self, home: str, tmp: str) -> dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": home,
            "TMPDIR": tmp,
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MALLOC_ARENA_MAX": "2",  # glibc's per-thread arenas would eat the address space
            "CUDA_VISIBLE_DEVICES": "",
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",  # the same set and dict orders on every run
            # Thread pools sized by the machine's cores would not fit the process cap
            # on a big machine (a profile's env sets its libraries' own pools).
            "OMP_NUM_THREADS": THREADS,
            "OPENBLAS_NUM_THREADS": THREADS,
            "MKL_NUM_THREADS": THREADS,
        }
        return {**env, **self.extra_env}

    def _drain(self, fd: int) -> None:
        """Keep the first OUTPUT_KEPT bytes of the submission's output, count the rest."""
        os.set_blocking(fd, False)
        readable = select.poll()
        readable.register(fd, select.POLLIN)
        while True:
            readable.poll()
            with self._output_lock:
                if not self._read_output(fd):
                    return

    def _read_output(self, fd: int) -> bool:
        """Take what the pipe holds now (the caller holds the lock); False at its end."""
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return True
        except OSError:
            return False
        self.output_total += len(chunk)
        room = OUTPUT_KEPT - len(self.output)
        if room > 0:
            self.output += chunk[:room]
        return bool(chunk)

    def settle_output(self) -> None:
        """Take in all the worker has printed so far, so ``output`` is up to date.

        The worker flushes its output before each reply, but output and replies
        come through different pipes: without this, a reply could be read before
        the printing that came ahead of it.
        """
        process = self.process
        if process is None or process.stdout is None:
            return
        fd = process.stdout.fileno()
        with self._output_lock:  # the drainer reads under the same lock: no byte is missed
            while _pending(fd) > 0 and self._read_output(fd):
                pass

    def _kill(self) -> None:
        """Kill the worker and every process of the sandbox, wherever it went."""
        process = self.process
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if isinstance(process, _warm.Child):  # killed before it made its process group
            process.kill()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.cgroups is not None:  # a process that left the process group is still here
            self.cgroups.kill()
        if self.uid is not None and self.tier == "permissions":  # no PID namespace: by user
            _launcher.kill_user(self.uid)

    def _death(self) -> str:
        """Why the worker is gone, in words."""
        process = self.process
        if process is None:
            return "the submission's process is not running"
        deadline = time.monotonic() + 2
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        code = process.poll()
        if code is None:
            self._kill()
            return "the submission's process stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            hint = " (over the CPU limit)" if name == "SIGXCPU" else ""
            hint = " (wrote a file over the size limit)" if name == "SIGXFSZ" else hint
            if name == "SIGKILL" and self.cgroups is not None and self.cgroups.oom_kills():
                hint = " (over the sandbox's memory limit)"
            return f"the submission's process was killed by {name}{hint}"
        return f"the submission's process exited with code {code} (sys.exit or os._exit?)"


def _pending(fd: int) -> int:
    """Bytes waiting in the pipe ``fd`` (0 when it cannot tell)."""
    try:
        return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
    except OSError:
        return 0


# -- removing a sandbox's folder -------------------------------------------------------

_DIRECTORY = os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _remove_tree(root: Path) -> None:
    """Remove ``root`` and all in it, whatever the submission made of it; never raises.

    ``shutil.rmtree`` recurses once per level (a 3,000-deep chain of folders ends
    in RecursionError) and cannot enter folders the submission made unreadable.
    Here each folder is first moved up into ``root`` itself, so nothing recurses
    and no path gets long, and each is made the grader's to empty (mode 700)
    through a handle, so no symbolic link is ever followed. ``rm -rf``, bounded in
    time, gets what is left if anything failed.
    """
    try:
        _empty_flat(root)
        os.rmdir(root)
    except OSError:
        pass
    if os.path.lexists(root):
        try:
            subprocess.run(["rm", "-rf", "--", str(root)], capture_output=True, timeout=120)
        except (OSError, subprocess.SubprocessError):
            pass


def _empty_flat(root: Path) -> None:
    top = _open_own(str(root), None)
    try:
        with os.scandir(top) as entries:
            pending = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
        taken, moved = set(os.listdir(top)), 0
        _unlink_all_but_folders(top)
        while pending:
            name = pending.pop()
            try:
                folder = _open_own(name, top)
            except OSError:
                continue
            try:
                with os.scandir(folder) as entries:
                    children = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
                for child in children:
                    while (new := f".removed-{moved}") in taken:
                        moved += 1
                    taken.add(new)
                    try:
                        os.close(_own(child, folder))  # moving it rewrites its "..": make it ours
                        os.rename(child, new, src_dir_fd=folder, dst_dir_fd=top)
                    except OSError:
                        continue
                    pending.append(new)
                _unlink_all_but_folders(folder)
            finally:
                os.close(folder)
            try:
                os.rmdir(name, dir_fd=top)
            except OSError:
                pass
    finally:
        os.close(top)


def _unlink_all_but_folders(folder: int) -> None:
    """Unlink files, links (not their targets) and the rest; folders are moved, not here."""
    with os.scandir(folder) as entries:
        names = [e.name for e in entries if not e.is_dir(follow_symlinks=False)]
    for name in names:
        try:
            os.unlink(name, dir_fd=folder)
        except OSError:
            pass


def _own(name: str, dir_fd: int | None) -> int:
    """A handle on the folder ``name`` (never a link's target), made ours: mode 700.

    The grader owns what the sandbox made, or is root; the handle is closed by the caller.
    """
    handle = os.open(name, os.O_PATH | _DIRECTORY, dir_fd=dir_fd)
    try:
        os.chmod(f"/proc/self/fd/{handle}", 0o700)  # through the handle: a link is not followed
    except BaseException:
        os.close(handle)
        raise
    return handle


def _open_own(name: str, dir_fd: int | None) -> int:
    """A descriptor to list and empty the folder ``name``, made ours first."""
    handle = _own(name, dir_fd)
    try:
        return os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=handle)
    finally:
        os.close(handle)
