"""Writing the engine's outputs: whole or not at all, and private.

Every file the grader writes about students (the gradebook and its log, ``results/``, reports,
similarity, exports, grader-error logs) is made ``PRIVATE`` (0600) and every folder it makes
for them ``PRIVATE_FOLDER`` (0700), whatever the umask: a submission running as another user
(the permissions tier), or anyone else on the machine, reads none of them.
"""

import csv
import io
import os
import tempfile
from pathlib import Path

PRIVATE = 0o600
PRIVATE_FOLDER = 0o700


def private_folder(folder: Path) -> Path:
    """Make ``folder`` and its missing parents, each new one ``PRIVATE_FOLDER`` (one that
    exists is left as it is: it may be the instructor's own)."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists():
            break
        missing.append(path)
    folder.mkdir(parents=True, exist_ok=True)
    for made in missing:
        os.chmod(made, PRIVATE_FOLDER)
    return folder


def write_atomic(path: Path, data: str | bytes, *, mode: int = PRIVATE, sync: bool = False) -> None:
    """Write ``data`` (text as UTF-8) to ``path``: readers see the old file or the new, never
    a part of it.

    The data goes to a temporary file of a unique name beside ``path`` (two writers never
    share one), which is given ``mode`` and renamed into place; ``sync`` flushes it to disk
    first. Missing folders are made (private for a private file); the temporary file goes
    if anything fails.
    """
    if mode & 0o077:
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        private_folder(path.parent)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_csv(
    path: Path, rows: list[list[str]], *, mode: int = PRIVATE, sync: bool = False
) -> None:
    """``rows`` as CSV (Python's dialect, UTF-8), written by ``write_atomic``."""
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    write_atomic(path, text.getvalue(), mode=mode, sync=sync)


def append_private(path: Path, text: str) -> None:
    """Append ``text`` to the file at ``path``, made ``PRIVATE`` (kept so), whatever the umask."""
    private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
