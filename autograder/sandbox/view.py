"""What a namespaces sandbox sees: an allow-listed root, rnnlab's own packages covered."""

import functools
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from autograder.sandbox.inside import launcher as _launcher

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


def python_paths() -> list[Path]:
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
def own_package_dirs() -> tuple[Path, ...]:
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


def covers(candidates: list[Path], binds: list[Path], keep: list[Path]) -> list[Path]:
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


def root_plan(hidden: list[Path]) -> dict:
    """The allow-list: what the launcher puts in a namespaces sandbox's new root."""
    from autograder import ROOT

    system = [Path(p) for p in SYSTEM_PATHS if os.path.isdir(p) and not os.path.islink(p)]
    paths = python_paths()
    binds = [  # the outermost folders only; the system's are bound whole anyway
        p
        for p in paths
        if not any(p.is_relative_to(s) for s in system)
        and not any(p != q and p.is_relative_to(q) for q in paths)
    ]
    # The project and rnnlab's packages wherever a bound folder would show them: in
    # site-packages (an installed copy), or the project itself kept in /usr or /opt/venv.
    candidates = [ROOT, *own_package_dirs(), *hidden]
    return {
        "system": [p for p in SYSTEM_PATHS if os.path.lexists(p)],
        "binds": [str(p) for p in binds],
        "covers": [str(p) for p in covers(candidates, [*system, *binds], keep=paths)],
        "etc": [p for p in ETC_FILES if os.path.isfile(p)],
        # /tmp is the sandbox's own, unless the Python installation lies there (a test's
        # virtual environment): then /tmp holds the way to it, read-only; TMPDIR still works.
        "tmp": not any(b.is_relative_to("/tmp") for b in binds),
    }


def allow_list(hidden: list[Path] = ()) -> list[str]:
    """Every path a namespaces sandbox has in its root (below each, only what is there)."""
    plan = root_plan([Path(p) for p in hidden])
    devices = [f"/dev/{name}" for name in _launcher.DEVICES]
    fixed = ["/proc", "/runtime", "/sandbox", "/dev/shm", "/dev/fd"]
    fixed += ["/dev/stdin", "/dev/stdout", "/dev/stderr"] + ["/tmp"] * plan["tmp"]
    return sorted({*plan["system"], *plan["binds"], *plan["etc"], *GENERATED_ETC, *devices, *fixed})


def landlock_rules(tier: str, work: str, runtime: str, hidden: list[Path]) -> dict:
    """What Landlock lets a sandbox's worker read and write (``confine.restrict``).

    In the namespaces tier its root holds only the allow-list already: it may read all of
    it and write to its own file system. Elsewhere it sees the machine, so the rules are the
    namespaces tier's allow-list itself: the system's libraries, the Python installation
    without rnnlab's own packages, ``/proc``, five devices, the runtime files
    (a zygote removes its own copy before it forks any), read-only; its own folder, read and
    write.
    """
    devices = [f"/dev/{name}" for name in _launcher.DEVICES]
    if tier == "namespaces":
        return {"read": ["/"], "write": ["/sandbox", "/tmp", "/dev/shm", *devices]}
    plan = root_plan(hidden)
    hidden = [Path(p) for p in plan["covers"]]
    folders = [Path(p) for p in (*plan["system"], *plan["binds"])]
    read = [str(p) for folder in folders for p in _beneath(folder, hidden)]
    read += [*plan["etc"], "/proc", runtime, *devices]
    return {"read": read, "write": [work, *devices]}


def _beneath(folder: Path, hidden: list[Path]) -> list[Path]:
    """``folder``, or, when a ``hidden`` path lies in it, each of its entries but that one
    (Landlock only adds rights: what is inside an allowed folder cannot be taken back)."""
    if folder in hidden:
        return []
    if not any(h.is_relative_to(folder) for h in hidden) or folder.is_symlink():
        return [folder]
    return [p for child in sorted(folder.iterdir()) for p in _beneath(child, hidden)]
