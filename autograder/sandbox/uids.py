"""The sandbox's own user: a uid claimed with a lock file, used by no process."""

import fcntl
import os
import random
import stat
import tempfile
from pathlib import Path

from autograder.sandbox.errors import SandboxSetupError
from autograder.sandbox.inside import launcher as _launcher

UID_BASE, UID_COUNT = 1_000_000, 100_000
"""Each sandbox of a root grader runs as its own uid from this range (gid the same)."""


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
