"""The permissions tier: what other users may not read, changed for good and listed."""

import os
import stat
import threading
from pathlib import Path

from autograder.sandbox.view import SYSTEM_PATHS, own_package_dirs, python_paths

PERMISSION_CHANGES: dict[str, int] = {}
"""Paths whose mode the permissions tier changed, with the mode each had before."""


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


def guard_project(folder: Path, submission: Path, hidden: list[Path], by_landlock: bool) -> None:
    """Before a permissions-tier sandbox's code runs: what its user must not read, it cannot.
    Under Landlock nothing is made unreadable (Landlock keeps the worker out); only the way
    to its ``folder`` and to the Python installation is opened (``o+x``): its user must pass."""
    from autograder import ROOT

    protected = [ROOT, *own_package_dirs(), *hidden, Path.home(), submission.resolve().parent]
    lock_down([] if by_landlock else protected, keep=[*python_paths(), folder])
