"""A command's memory as a container's limit counts it: a memory cgroup around the run.

A container's limit charges its cgroup for every page its processes use, once however many
share it: their private memory, and the page cache of every file they read (libraries, data).
Two figures come back:

- **the working set**: use less the page cache's inactive files, sampled while the command
  runs. The kernel drops those files before it kills anything, so this is the figure to hold
  against a limit (``docker stats`` shows the same);
- **the peak**: the kernel's own high-water mark of use, inactive files included. It depends
  on what was in the cache before, and on how much room there was: a cold cache and no limit
  make it large.

Making the cgroup needs the right to (root, or a delegated cgroup v2 subtree); without it
``measure`` says so with ``None``.
"""

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.cgroups import (
    _rmdir_quietly,
    oom_kills,
    own_cgroups,
    peak_bytes,
    working_set,
)

SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Footprint:
    working_set_mb: int
    """The most the command used at once, the page cache's inactive files left out."""
    peak_mb: int
    """The kernel's high-water mark of the cgroup's use, page cache included."""
    kills: int
    """Processes the kernel killed for memory (only with ``limit_mb``)."""
    returncode: int
    seconds: float


def measure(
    command: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    limit_mb: int | None = None,
    timeout: float | None = None,
) -> Footprint | None:
    """Run ``command`` in a new memory cgroup (of ``limit_mb``, if given) below this
    process's own; None where no memory cgroup can be made here."""
    group = _make_group(limit_mb)
    if group is None:
        return None
    enter = f'echo $$ > "{group}/cgroup.procs" && exec "$@"'
    most, done = 0, threading.Event()

    def sample() -> None:
        nonlocal most
        while not done.wait(SAMPLE_SECONDS):
            most = max(most, working_set(group) or 0)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.monotonic()
    try:
        sampler.start()
        finished = subprocess.run(
            ["sh", "-c", enter, "sh", *command],
            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=timeout,
        )  # fmt: skip
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
        most = max(most, working_set(group) or 0)
        peak = peak_bytes(group)
        return Footprint(most >> 20, max(peak or 0, most) >> 20, oom_kills(group),
                         finished.returncode, seconds)  # fmt: skip
    finally:
        done.set()
        _rmdir_quietly(group)


def _make_group(limit_mb: int | None) -> Path | None:
    own = own_cgroups()
    if "memory" in own:
        parent, kind, limit_file = own["memory"], "v1", "memory.limit_in_bytes"
    elif "" in own and (own[""] / "memory.current").exists():
        parent, kind, limit_file = own[""], "v2", "memory.max"
    else:
        return None
    group = parent / f"rnnlab-footprint-{os.getpid()}-{threading.get_ident()}"
    try:
        group.mkdir()
        if kind == "v2" and not (group / "memory.current").exists():
            raise OSError("the memory controller is not enabled below this cgroup")
        if limit_mb is not None:
            (group / limit_file).write_text(str(limit_mb << 20))
    except OSError:
        _rmdir_quietly(group)
        return None
    return group
