"""Removing a sandbox's folder without following what the submission left in it."""

import os
import subprocess
from pathlib import Path

_DIRECTORY = os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def remove_tree(root: Path) -> None:
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
