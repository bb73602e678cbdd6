"""The sentiment data set: 25,000 movie reviews (``reviews.txt``) and labels (``labels.txt``).

``fetch`` downloads the two files (or copies them from a local folder), checks their
sha256 and puts them in place atomically. ``locate`` and ``read_texts`` find and read
them, plain or gzip-compressed, without checking the checksums, so that small
hand-made data sets work too.
"""

import contextlib
import gzip
import hashlib
import http.client
import os
import secrets
import shlex
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

REVIEWS = "reviews.txt"
LABELS = "labels.txt"

FILES: dict[str, str] = {
    REVIEWS: "d7c2f21e5c8f5240859910ba5331b9baa88310aa978dbd8747ebd4ff6ebbefa6",
    LABELS: "301d18424e95957a000293f5d8393239451d7f54622a8f21613172aebe64ca06",
}
"""File name -> sha256 (hex) of its uncompressed content."""

MIRRORS: list[str] = [
    "https://raw.githubusercontent.com/udacity/deep-learning/master/sentiment-network/",
    "https://raw.githubusercontent.com/udacity/deep-learning-v2-pytorch/master/sentiment-rnn/data/",
]
"""Base URLs tried in order; a file's URL is the base followed by its name."""

CHUNK_SIZE = 1 << 16
"""Bytes read at a time while downloading or copying."""

Progress = Callable[[str, int, int | None], None]


def default_dir() -> Path:
    env = os.environ.get("RNNLAB_DATA")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "rnnlab" / "sentiment"


DEFAULT_DIR: Path = default_dir()
"""``$RNNLAB_DATA`` if set (and not empty), else ``~/.cache/rnnlab/sentiment``."""


class DataError(Exception):
    """A problem with the data set; the message is one line saying what failed and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(part.strip() for part in str(message).splitlines()).strip())


class _ChecksumMismatch(Exception):
    def __init__(self, expected: str, got: str) -> None:
        super().__init__(f"expected sha256 {expected[:12]}..., got {got[:12]}...")


class _SourceError(Exception):
    """Reading the source (download or local file) failed; the cause is ``__cause__``."""


_READ_ERRORS = (OSError, EOFError, zlib.error, http.client.HTTPException)


def _q(path: Path) -> str:
    return shlex.quote(str(path))


def _get_hint(dest: Path) -> str:
    return (
        f"run `rnnlab data fetch --dest {_q(dest)}` to download the data, or "
        f"`rnnlab data fetch --from DIR --dest {_q(dest)}` with a local copy (plain or .gz)"
    )


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, sha256: str) -> bool:
    """Return True if ``path`` is a readable file whose content has this sha256 (hex)."""
    path = Path(path)
    try:
        return path.is_file() and _sha256_file(path) == sha256.lower()
    except OSError:
        return False


def _find(folder: Path, name: str) -> Path | None:
    """``folder/name`` if it is a file, else ``folder/name.gz`` if that is, else None."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _install(
    dest: Path,
    name: str,
    expected: str,
    stream: BinaryIO,
    total: int | None,
    progress: Progress | None,
) -> Path:
    """Copy ``stream`` to a temporary file in ``dest`` while hashing, then move it to ``name``.

    The temporary file is always removed. Raises ``_ChecksumMismatch`` (nothing
    replaced), ``_SourceError`` if reading ``stream`` fails, ``DataError`` if writing fails.
    """
    final = dest / name
    tmp = dest / f".{name}.{secrets.token_hex(6)}.part"
    digest = hashlib.sha256()
    done = 0
    try:
        with open(tmp, "xb") as out:
            if progress is not None:
                progress(name, 0, total)
            while True:
                try:
                    chunk = stream.read(CHUNK_SIZE)
                except _READ_ERRORS as exc:
                    raise _SourceError(str(exc)) from exc
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(name, done, total)
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if got != expected.lower():
            raise _ChecksumMismatch(expected.lower(), got)
        os.replace(tmp, final)
    except OSError as exc:
        raise DataError(
            f"cannot write {name} in {dest}: {exc}; check that the folder is writable and has "
            "free space, or choose another one with --dest DIR"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return final


def _describe(exc: BaseException, url: str, timeout: float) -> tuple[str, bool]:
    """A short reason for a failed download, and whether it looks like a network failure."""
    remote = urllib.parse.urlsplit(url).scheme.lower() not in ("", "file")
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}", False
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return f"timed out after {timeout:g} s", remote
    if isinstance(reason, BaseException):
        text = str(reason) or type(reason).__name__
        return text, remote and isinstance(reason, OSError | http.client.HTTPException)
    return str(reason), False


def _download(
    dest: Path,
    name: str,
    expected: str,
    mirrors: list[str],
    timeout: float,
    progress: Progress | None,
) -> Path:
    failures: list[tuple[str, str, bool]] = []  # (url, reason, network failure?)
    for base in mirrors:
        url = base + name
        try:
            response = urllib.request.urlopen(url, timeout=timeout)
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            failures.append((url, *_describe(exc, url, timeout)))
            continue
        with response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            try:
                return _install(dest, name, expected, response, total, progress)
            except _ChecksumMismatch as exc:
                failures.append((url, f"checksum mismatch ({exc})", False))
            except _SourceError as exc:  # the connection broke mid-file: not "unreachable"
                assert exc.__cause__ is not None
                failures.append((url, _describe(exc.__cause__, url, timeout)[0], False))

    local = f"`rnnlab data fetch --from DIR --dest {_q(dest)}` with a local copy (plain or .gz)"
    if not failures:
        raise DataError(f"cannot download {name}: no mirrors given; run {local}")
    url, reason, _ = failures[-1]
    tried = f"{len(failures)} mirror{'s' if len(failures) != 1 else ''} tried"
    if all(network for _, _, network in failures):
        raise DataError(
            f"cannot download {name}: the network is unreachable ({tried}; last: {url}: {reason});"
            f" check your connection and try again, or run {local}"
        )
    raise DataError(
        f"cannot download {name} ({tried}; last: {url}: {reason}); try again later, or run {local}"
    )


def _copy_from(
    source: Path, dest: Path, name: str, expected: str, progress: Progress | None
) -> Path:
    path = _find(source, name)
    if path is None:
        raise DataError(
            f"{name} (or {name}.gz) not found in {source}; put it there, or run "
            f"`rnnlab data fetch --dest {_q(dest)}` to download the data"
        )
    gz = path.name.endswith(".gz")
    try:
        total = None if gz else path.stat().st_size
        with gzip.open(path, "rb") if gz else open(path, "rb") as stream:
            return _install(dest, name, expected, stream, total, progress)
    except _ChecksumMismatch as exc:
        raise DataError(
            f"{path} is not a good copy of {name} (checksum mismatch: {exc}); get a fresh copy, "
            f"or run `rnnlab data fetch --dest {_q(dest)}` to download the data"
        ) from exc
    except (_SourceError, OSError) as exc:
        cause = exc.__cause__ if isinstance(exc, _SourceError) else exc
        raise DataError(
            f"cannot read {path}: {cause or exc}; get a fresh copy, or run "
            f"`rnnlab data fetch --dest {_q(dest)}` to download the data"
        ) from exc


def fetch(
    dest: Path,
    *,
    source: Path | None = None,
    mirrors: list[str] = MIRRORS,
    checksums: dict[str, str] = FILES,
    timeout: float = 30,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """Put verified copies of the files named in ``checksums`` into ``dest``.

    Each file is downloaded from ``mirrors`` in order (http(s) or file:// URLs), or, with
    ``source``, taken from that folder as ``NAME`` or ``NAME.gz`` (plain preferred). It
    is streamed into a temporary file in ``dest`` while hashed, and moved into place only
    if its sha256 matches, so a failure never leaves a partial file behind. A file already
    in ``dest`` with the right checksum is kept; files are handled one by one, so those
    finished before a failure stay. ``dest`` is created if needed.

    ``progress(name, bytes_done, total_or_None)`` is called before the first chunk (with
    0) and after each chunk of a file that is being copied; not for files kept as they are.

    Returns:
        ``{name: path of the verified file in dest}``.

    Raises:
        DataError: a file could not be obtained or verified, or ``dest`` is not writable.
    """
    dest = Path(dest).expanduser()
    if source is not None:
        source = Path(source).expanduser()
        if not source.is_dir():
            raise DataError(
                f"the folder to fetch from, {source}, does not exist or is not a folder; "
                f"give the folder that holds {' and '.join(checksums)} (plain or .gz)"
            )
    created = not dest.exists()
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"cannot create the data folder {dest}: {exc}; choose another one with --dest DIR"
        ) from exc

    result: dict[str, Path] = {}
    try:
        for name, expected in checksums.items():
            final = dest / name
            if verify(final, expected):
                result[name] = final
            elif source is None:
                result[name] = _download(dest, name, expected, mirrors, timeout, progress)
            else:
                result[name] = _copy_from(source, dest, name, expected, progress)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                dest.rmdir()  # only succeeds if nothing landed in it
        raise
    return result


def locate(data_dir: Path) -> dict[str, Path]:
    """Find ``reviews.txt`` and ``labels.txt`` (or their ``.gz``) in ``data_dir``.

    Plain files are preferred over ``.gz``. Checksums are not verified.

    Returns:
        ``{"reviews.txt": path, "labels.txt": path}``.

    Raises:
        DataError: ``data_dir`` or a file is missing; the message says which and how to get it.
    """
    data_dir = Path(data_dir).expanduser()
    if not data_dir.is_dir():
        raise DataError(
            f"the data folder {data_dir} does not exist, so {REVIEWS} and {LABELS} are missing; "
            + _get_hint(data_dir)
        )
    found: dict[str, Path] = {}
    missing: list[str] = []
    for name in (REVIEWS, LABELS):
        path = _find(data_dir, name)
        if path is None:
            missing.append(f"{name} (or {name}.gz)")
        else:
            found[name] = path
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise DataError(
            f"{' and '.join(missing)} {verb} missing from {data_dir}; " + _get_hint(data_dir)
        )
    return found


def _read_text(path: Path) -> str:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return f.read()
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path} is not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8, "
            f"or run `rnnlab data fetch --dest {_q(path.parent)}` to get the original"
        ) from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(
            f"cannot read {path}: {exc}; replace it, or run "
            f"`rnnlab data fetch --dest {_q(path.parent)}` to get the original"
        ) from exc


def read_texts(data_dir: Path) -> tuple[str, str]:
    """Return the text of ``(reviews.txt, labels.txt)`` found in ``data_dir`` by ``locate``.

    Files are decoded as UTF-8 (``.gz`` transparently), with universal newlines, as
    ``open(path, encoding="utf-8").read()`` would.

    Raises:
        DataError: a file is missing, unreadable or not UTF-8.
    """
    paths = locate(data_dir)
    return _read_text(paths[REVIEWS]), _read_text(paths[LABELS])
