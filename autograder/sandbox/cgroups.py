"""Cgroups: a true total for a sandbox's memory and processes, and a kill switch."""

import errno
import functools
import os
import signal
import threading
import time
from pathlib import Path

from autograder.sandbox.errors import SandboxLost
from autograder.sandbox.inside import launcher as _launcher
from autograder.sandbox.limits import Limits


def own_cgroups() -> dict[str, Path]:
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


UNLIMITED = 1 << 60
"""A memory limit this large is none (v1 writes "no limit" as about 2**63)."""
OWN_SHARE = 0.95
"""A sandbox killed for memory that used less than this share of its cap (and whose kernel
counted no failed charge) was killed for another's use, not for its own."""
FLOOR_MB = 512
"""Below this (or the profile's own cap, if less), a cap a container forced is too small to
charge a submission for reaching it."""
GRADER_RESERVE_MB = 128
"""What a sandbox's cap leaves the grader inside a container: enough to write the results."""


def container_room_mb() -> int | None:
    """The memory the cgroup this grader runs in (a container's, say) has left, less
    ``GRADER_RESERVE_MB``; None without a limit. Its own usage counts its zygotes and its
    running sandboxes (theirs are child cgroups), so a new sandbox gets what is left.

    The page cache's inactive files are not counted as used: the kernel drops them before
    it kills anything (a container's working set, as ``docker stats`` reports it). Counted,
    a cold start's reads of the libraries left a sandbox 16 MB of a 768 MB container."""
    own = own_cgroups()
    if "memory" in own:  # v1, or a hybrid machine's v1 memory hierarchy
        group = own["memory"]
        limits = [_number(group / "memory.limit_in_bytes"), _hierarchical(group)]
    elif "" in own and (own[""] / "memory.max").exists():
        group = folder = own[""]
        limits = []
        while (folder / "memory.max").exists():  # this cgroup and every ancestor's
            limits.append(_number(folder / "memory.max"))
            folder = folder.parent
    else:
        return None
    limit = min((n for n in limits if n is not None), default=UNLIMITED)
    used = working_set(group)
    if limit >= UNLIMITED or used is None:
        return None
    return max(0, (limit - used) >> 20) - GRADER_RESERVE_MB


def _stat(folder: Path, key: str, name: str = "memory.stat") -> int | None:
    """One number of a cgroup's ``memory.stat`` (or another file of "key value" lines)."""
    try:
        for line in (folder / name).read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return None


def _hierarchical(folder: Path) -> int | None:
    """v1's smallest limit of this cgroup and its ancestors (``memory.stat``)."""
    return _stat(folder, "hierarchical_memory_limit")


def oom_kills(folder: Path) -> int:
    """How many of a memory cgroup's processes the kernel killed for memory (v2, v1)."""
    for name in ("memory.events", "memory.oom_control"):
        kills = _stat(folder, "oom_kill", name)
        if kills is not None:
            return kills
    return 0


def working_set(folder: Path) -> int | None:
    """A memory cgroup's use, its page cache's inactive files left out (bytes; v1, v2)."""
    if (folder / "memory.usage_in_bytes").exists():
        used, inactive = folder / "memory.usage_in_bytes", "total_inactive_file"
    else:
        used, inactive = folder / "memory.current", "inactive_file"
    total = _number(used)
    return None if total is None else max(0, total - (_stat(folder, inactive) or 0))


def peak_bytes(folder: Path) -> int | None:
    """A memory cgroup's high-water mark of use (v2, v1); None where the kernel does not say."""
    for name in ("memory.peak", "memory.max_usage_in_bytes"):
        value = _number(folder / name)
        if value is not None and value < UNLIMITED:
            return value
    return None


def _number(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return UNLIMITED if text == "max" else int(text) if text.isdigit() else None


class Cgroups:
    """One sandbox's cgroups: memory and process caps where writable, and v2's kill switch."""

    _count = 0
    _count_lock = threading.Lock()

    def __init__(self, limits: Limits, memory_mb: int | None = None) -> None:
        """``memory_mb``: the sandbox's total, when less than ``limits.memory_mb`` (what a
        container has left); the per-process address-space cap stays the profile's."""
        self.folders: list[Path] = []
        """The cgroups the sandbox's processes join."""
        self.bounds: dict[str, str] = {}
        """Which caps apply: "memory" and "pids" → "cgroup v1" or "cgroup v2"; "kill"."""
        self.kill_switch: Path | None = None
        with Cgroups._count_lock:
            Cgroups._count += 1
            name = f"rnnlab-sandbox-{os.getpid()}-{Cgroups._count}"
        own = own_cgroups()
        memory, tasks = str((memory_mb or limits.memory_mb) << 20), str(limits.processes)
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
        return max((oom_kills(folder) for folder in self.folders), default=0)

    def peak_mb(self) -> int | None:
        """The most memory the sandbox used at once (None where the kernel does not say)."""
        peaks = (peak_bytes(folder) for folder in self.folders)
        return next((p >> 20 for p in peaks if p is not None), None)

    def check_own_use(self, cap_mb: int, promised_mb: int) -> None:
        """After a kill for memory: ``SandboxLost`` unless the submission alone is to blame.

        It is not when the sandbox never reached its own cap (the container's memory ran
        out for another's use, and the kernel chose it as the likeliest victim; reached: a
        count of failed charges says so, or its peak came within ``OWN_SHARE`` of the cap,
        as v1's counts stay 0 on some kernels), nor when a container left it less than
        ``FLOOR_MB`` of the ``promised_mb`` its profile gives (correct code may need more)."""
        peak = self.peak_mb()
        if not (self._reached_cap() or peak is None or peak >= cap_mb * OWN_SHARE):
            raise SandboxLost(
                f"the machine ran out of memory while this sandbox stayed under its {cap_mb} MB "
                f"(it used {peak} MB at most): the kernel killed it for another's use"
            )
        if cap_mb < min(promised_mb, FLOOR_MB):
            raise SandboxLost(
                f"the container left this sandbox only {cap_mb} MB of the {promised_mb} MB its "
                "profile gives: give the grader more memory, then regrade"
            )

    def _reached_cap(self) -> bool:
        """Whether a count says the sandbox's memory reached its cap (v1's failcnts, v2's
        "max" events)."""
        for folder in self.folders:
            counts = [_number(folder / f"memory.{n}failcnt") for n in ("", "memsw.")]
            if any(counts):  # v1: with swap counted, memsw's fails first
                return True
            try:
                for line in (folder / "memory.events").read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "max" and int(value) > 0:
                        return True
            except (OSError, ValueError):
                continue
        return False

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
