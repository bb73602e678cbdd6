"""Cgroups: a true total for a sandbox's memory and processes, and a kill switch."""

import errno
import functools
import os
import signal
import threading
import time
from pathlib import Path

from autograder.sandbox.inside import launcher as _launcher
from autograder.sandbox.limits import Limits


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
