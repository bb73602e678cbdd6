"""Writing a file whole or not at all: the one atomic write every output of the engine uses."""

import csv
import io
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes, *, mode: int = 0o644, sync: bool = False) -> None:
    """Write ``data`` (text as UTF-8) to ``path``: readers see the old file or the new, never
    a part of it.

    The data goes to a temporary file of a unique name beside ``path`` (two writers never
    share one), which is given ``mode`` and renamed into place; ``sync`` flushes it to disk
    first. The folder is made if it is missing; the temporary file goes if anything fails.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
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


def write_csv(path: Path, rows: list[list[str]], *, mode: int = 0o644, sync: bool = False) -> None:
    """``rows`` as CSV (Python's dialect, UTF-8), written by ``write_atomic``."""
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    write_atomic(path, text.getvalue(), mode=mode, sync=sync)
