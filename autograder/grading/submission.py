"""Turn what a student handed in into a folder of modules, refusing anything unsafe.

A submission is a folder, a ``.zip`` of one, or the zip the notebook's
``grader.export()`` writes. The graded modules are looked for in one folder:
the one, at most ``MAX_DEPTH`` folders down, that holds the most of them (the
top level wins ties). Only ``.py`` files whose names an ``import`` could find
are kept, and only those of that folder are copied.

The input is hostile, so ``prepare`` raises nothing but ``SubmissionError``
(one line, naming the problem), reads nothing past the size limits, and cannot
hang or recurse without bound:

- Folders are walked breadth first, without recursion, never following links.
  Hidden folders, virtual environments (by name, or holding ``pyvenv.cfg`` or
  ``conda-meta``), ``site-packages``, ``node_modules`` and ``__pycache__`` are not
  entered. Folders deeper than ``MAX_DEPTH`` are ignored (not refused: deep junk
  beside the modules should not sink a submission). More than ``MAX_FILES``
  entries in what is walked is refused. Only regular files are opened; a graded
  module that is a link, a pipe or a device is reported as not a regular file.
- Zips are read member by member, never extracted: absolute paths, ``..``,
  drive letters, links, oversized or too many members are refused; ``./`` and
  backslash separators are normalised. Only ``stored`` and ``deflate`` members
  are read: they can be read with a bound on what they unpack to (the other
  methods zipfile knows cannot), and they are what every zip tool writes.
- Module-level problems (missing, not UTF-8, not a regular file) are kept per
  module in ``Submission.problems``; the other modules are still graded.
"""

import errno
import lzma
import os
import stat
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

MAX_FILES = 2000
"""At most this many members in a zip, or entries in the part of a folder walked."""
MAX_FILE_BYTES = 5 << 20
MAX_TOTAL_BYTES = 50 << 20
MAX_ZIP_BYTES = 2 * MAX_TOTAL_BYTES
"""A zip never needs to be much bigger than what it may unpack to."""
MAX_DEPTH = 5
"""Modules are looked for at most this many folders down; deeper ones are ignored."""

SKIPPED_FOLDERS = frozenset(
    {"venv", "site-packages", "dist-packages", "node_modules", "__pycache__", "__MACOSX"}
)
"""Folders never looked in (hidden ones, starting with ``.``, neither)."""
VENV_MARKERS = frozenset({"pyvenv.cfg", "conda-meta"})
"""A folder holding one of these is a virtual environment: never looked in."""

_CENTRAL_HEADER = b"PK\x01\x02"
_LOCAL_HEADER = b"PK\x03\x04"
_ENCRYPTED = 0x1 | 0x40  # traditional and strong encryption flag bits
_PATCHED = 0x20
_READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_METHOD_NAMES = {
    1: "shrink",
    6: "implode",
    9: "deflate64",
    12: "bzip2",
    14: "lzma",
    93: "zstandard",
    95: "xz",
    98: "PPMd",
    99: "AES encryption",
}
# What zipfile may raise on a broken archive, besides the exceptions it documents.
_BROKEN_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    OverflowError,
    struct.error,
    zlib.error,
    lzma.LZMAError,
)
# O_NONBLOCK: opening a pipe that changed places with a file must not wait for a writer.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class SubmissionError(Exception):
    """The submission as a whole cannot be graded; the message says why, in one line."""


@dataclass
class Submission:
    folder: Path
    """A folder holding the submission's ``.py`` files."""
    problems: dict[str, str] = field(default_factory=dict)
    """Module name -> why it cannot be imported (missing, not UTF-8, not a regular file)."""


def prepare(path: Path, dest: Path, modules: tuple[str, ...]) -> Submission:
    """Copy the submission's Python files from ``path`` into the new folder ``dest``.

    ``modules`` are the graded modules: the folder holding most of them is the
    submission's, and each one missing or unreadable is a problem of its own.

    Raises ``SubmissionError`` when the submission as a whole cannot be graded.
    """
    files, problems = read_files(path, modules)
    dest.mkdir(parents=True)
    for name, data in files.items():
        (dest / name).write_bytes(data)  # a plain, importable basename: see _importable
    ordered = {}
    for module in modules:
        data = files.get(f"{module}.py")
        if module in problems:
            ordered[module] = problems[module]
        elif data is None:
            ordered[module] = f"{module}.py is missing from the submission"
        else:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as error:
                ordered[module] = f"{module}.py is not UTF-8 text (byte {error.start})"
    return Submission(dest, ordered)


def read_files(path: Path, modules: tuple[str, ...]) -> tuple[dict[str, bytes], dict[str, str]]:
    """What ``prepare`` copies: the Python files of the submission's folder (file name ->
    bytes), and the graded modules there that are not regular files or cannot be read
    (module -> why). Modules missing or not UTF-8 are ``prepare``'s to find.

    Raises ``SubmissionError`` when the submission as a whole cannot be graded.
    """
    path = Path(path)
    try:
        info = os.stat(path)  # the grader's own path: following a link here is fine
    except FileNotFoundError:
        raise SubmissionError(f"{_show(str(path), 400)} does not exist") from None
    except (OSError, ValueError) as error:
        where = _show(str(path), 400)  # the grader's own path: shown whole
        raise SubmissionError(f"{where} cannot be read ({_reason(error)})") from None
    if stat.S_ISDIR(info.st_mode):
        return _from_folder(path, modules)
    if stat.S_ISREG(info.st_mode):
        return _from_zip(path, modules), {}
    raise SubmissionError(f"{_show(path.name)} is neither a folder nor a zip file")


def _show(text: str, limit: int = 80) -> str:
    """``text`` fit for a one-line message: odd characters escaped, long text cut."""
    shown = text if text and text.isprintable() else repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _reason(error: BaseException) -> str:
    text = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return _show(" ".join(text.split()) or type(error).__name__, 120)


def _megabytes(size: int) -> str:
    return f"{size >> 20} MB"


def _importable(name: str) -> bool:
    """Whether ``name`` is a ``.py`` file name an import could find.

    Such a name has no separator, no leading dot and no control character, so it
    is safe to write into ``dest``; other ``.py`` files could never be imported.
    """
    if not name.endswith(".py") or not name[:-3].isidentifier():
        return False
    try:
        return len(os.fsencode(name)) <= 255  # NAME_MAX: longer ones cannot be written
    except UnicodeEncodeError:
        return False


def _skipped(name: str) -> bool:
    """Whether a folder (or file) of this name is never looked in."""
    return name.startswith(".") or name in SKIPPED_FOLDERS


def _pick_folder(
    python_files: Iterable[PurePosixPath], modules: tuple[str, ...]
) -> PurePosixPath | None:
    """The folder holding the most graded modules (the top level wins ties)."""
    score: dict[PurePosixPath, int] = {}
    for name in python_files:
        if name.stem in modules:
            score[name.parent] = score.get(name.parent, 0) + 1
    if not score:
        return None
    # Ties beyond depth go to the first name in sorted order, so the pick is reproducible.
    return min(score, key=lambda folder: (-score[folder], len(folder.parts), str(folder)))


# --- folders ---------------------------------------------------------------------------


class _Unreadable(Exception):
    """A file that cannot be read as a regular file; the message says why."""


def _from_folder(root: Path, modules: tuple[str, ...]) -> tuple[dict[str, bytes], dict[str, str]]:
    shown = _show(root.name or str(root))
    regular, irregular = _walk(root, shown)
    folder = _pick_folder([*regular, *irregular], modules)
    files: dict[str, bytes] = {}
    problems: dict[str, str] = {}
    if folder is None:
        return files, problems
    for name in irregular:
        if name.parent == folder and name.stem in modules:
            problems[name.stem] = f"{name.name} is not a regular file"
    total = 0
    for name, full in regular.items():
        if name.parent != folder:
            continue
        try:
            data = _read_regular(full)
        except _Unreadable as error:
            if name.stem in modules:
                problems[name.stem] = f"{name.name} {error}"
            continue
        if len(data) > MAX_FILE_BYTES:
            raise SubmissionError(
                f"{_show(str(name))} in {shown} is larger than the "
                f"{_megabytes(MAX_FILE_BYTES)} limit for a file"
            )
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise SubmissionError(
                f"the Python files of {shown} are larger than the "
                f"{_megabytes(MAX_TOTAL_BYTES)} limit in all"
            )
        files[name.name] = data
    return files, problems


def _walk(root: Path, shown: str) -> tuple[dict[PurePosixPath, str], set[PurePosixPath]]:
    """The importable ``.py`` names under ``root``: regular files (-> full path), and the rest.

    Breadth first with a queue, so depth costs no stack; links are never followed,
    so there are no loops; entries are sorted so the walk does not depend on the
    file system's order.
    """
    regular: dict[PurePosixPath, str] = {}
    irregular: set[PurePosixPath] = set()
    queue: deque[tuple[str, PurePosixPath]] = deque([(os.fspath(root), PurePosixPath())])
    seen = 0
    while queue:
        folder, relative = queue.popleft()
        entries = []
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    seen += 1
                    if seen > MAX_FILES:
                        raise SubmissionError(
                            f"{shown} holds more than {MAX_FILES} files and folders (not "
                            "counting hidden folders and virtual environments): hand in "
                            "only the lab's folder"
                        )
                    entries.append(entry)
        except OSError as error:
            if not relative.parts:
                raise SubmissionError(f"{shown} cannot be read ({_reason(error)})") from None
            continue  # an unreadable folder inside: as if it were not there
        if relative.parts and any(entry.name in VENV_MARKERS for entry in entries):
            continue
        for entry in sorted(entries, key=lambda entry: entry.name):
            if _skipped(entry.name):
                continue
            name = relative / entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir and len(name.parts) <= MAX_DEPTH:
                queue.append((entry.path, name))
            if _importable(entry.name):
                if is_file:
                    regular[name] = entry.path
                else:
                    irregular.add(name)
    return regular, irregular


def _read_regular(path: str) -> bytes:
    """At most ``MAX_FILE_BYTES + 1`` bytes of the regular file at ``path``.

    Checked again on the open file: what the listing said may have changed since.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            raise _Unreadable("is not a regular file") from None
        raise _Unreadable(f"cannot be read ({_reason(error)})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _Unreadable("is not a regular file")
        with open(fd, "rb", closefd=False) as file:
            return file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _Unreadable(f"cannot be read ({_reason(error)})") from None
    finally:
        os.close(fd)


# --- zips ------------------------------------------------------------------------------


def _from_zip(path: Path, modules: tuple[str, ...]) -> dict[str, bytes]:
    shown = _show(path.name)
    try:
        # Not O_NOFOLLOW: the path is the grader's; O_NONBLOCK: it may have become a pipe.
        fd = os.open(path, _OPEN_FLAGS & ~getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        raise SubmissionError(f"{shown} cannot be read ({_reason(error)})") from None
    try:
        info = os.fstat(fd)  # of what was opened, whatever was there before
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError(f"{shown} is neither a folder nor a zip file")
        if info.st_size > MAX_ZIP_BYTES:
            raise SubmissionError(
                f"{shown} is larger than the {_megabytes(MAX_ZIP_BYTES)} limit for a zip"
            )
        with open(fd, "rb", closefd=False) as file:
            return _open_zip(file, shown, modules)
    except _BROKEN_ZIP as error:
        raise SubmissionError(f"{shown} is a broken zip file ({_reason(error)})") from None
    finally:
        os.close(fd)


def _open_zip(file: BinaryIO, shown: str, modules: tuple[str, ...]) -> dict[str, bytes]:
    # zipfile reads the whole central directory into objects, however many entries
    # it holds: count their signatures first to bound that.
    if _count(file, _CENTRAL_HEADER, 10 * MAX_FILES) > 10 * MAX_FILES:
        raise SubmissionError(f"{shown} has more than {MAX_FILES} entries")
    file.seek(0)
    magic = file.read(4)
    if not zipfile.is_zipfile(file):
        if magic == _LOCAL_HEADER:
            raise SubmissionError(f"{shown} is a broken zip file (its end is missing: truncated?)")
        raise SubmissionError(f"{shown} is neither a folder nor a zip file")
    with zipfile.ZipFile(file) as archive:
        return _read_zip(archive, shown, modules)


def _count(file: BinaryIO, needle: bytes, enough: int) -> int:
    """How many times ``needle`` occurs in ``file`` (up to just past ``enough``)."""
    count, tail = 0, b""
    while count <= enough and (chunk := file.read(1 << 20)):
        block = tail + chunk
        count += block.count(needle)
        tail = block[-(len(needle) - 1) :]  # too short to hold a whole needle: none counted twice
    return count


def _member_path(info: zipfile.ZipInfo, shown: str) -> PurePosixPath | None:
    """The member's path, normalised (``./`` dropped, ``\\`` as ``/``); None for the root."""
    raw = info.filename.replace("\\", "/")  # zips made on Windows may use backslashes
    parts = [part for part in raw.split("/") if part not in ("", ".")]
    if raw.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise SubmissionError(f"{shown} contains an unsafe path: {_show(info.filename)}")
    return PurePosixPath(*parts) if parts else None


def _read_zip(archive: zipfile.ZipFile, shown: str, modules: tuple[str, ...]) -> dict[str, bytes]:
    members = archive.infolist()
    if len(members) > MAX_FILES:
        raise SubmissionError(f"{shown} has {len(members)} entries (at most {MAX_FILES})")
    total = 0
    python: dict[PurePosixPath, zipfile.ZipInfo] = {}
    venvs: set[PurePosixPath] = set()
    for info in members:
        name = _member_path(info, shown)
        if name is None:
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise SubmissionError(f"{shown} contains a link: {_show(info.filename)}")
        # Only Python files are ever read: a notebook full of plots may be large.
        if name.suffix == ".py":
            total += info.file_size
            if info.file_size > MAX_FILE_BYTES:
                raise SubmissionError(
                    f"{_show(str(name))} in {shown} is larger than the "
                    f"{_megabytes(MAX_FILE_BYTES)} limit for a file"
                )
            if total > MAX_TOTAL_BYTES:
                raise SubmissionError(
                    f"the Python files of {shown} are larger than the "
                    f"{_megabytes(MAX_TOTAL_BYTES)} limit in all"
                )
        for depth, part in enumerate(name.parts[1:], start=1):
            if part in VENV_MARKERS:  # with or without an entry of its own
                venvs.add(PurePosixPath(*name.parts[:depth]))
        if info.filename.endswith(("/", "\\")) or stat.S_ISDIR(mode):
            continue
        folders = name.parts[:-1]
        if len(folders) > MAX_DEPTH or any(_skipped(part) for part in folders):
            continue
        if _importable(name.name):
            if name in python:  # which one was meant is anyone's guess
                raise SubmissionError(f"{shown} holds {_show(str(name))} twice")
            python[name] = info
    wanted = [name for name in python if not venvs.intersection(name.parents)]
    folder = _pick_folder(wanted, modules)
    return {
        name.name: _read_member(archive, python[name], f"{_show(str(name))} in {shown}")
        for name in wanted
        if name.parent == folder
    }


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    if info.flag_bits & _ENCRYPTED:
        raise SubmissionError(f"{where} is encrypted: zip it again without a password")
    if info.flag_bits & _PATCHED or info.compress_type not in _READABLE_METHODS:
        method = (
            "patched data"
            if info.flag_bits & _PATCHED
            else _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        )
        raise SubmissionError(
            f"{where} uses an unsupported compression method ({method}): "
            "re-zip it with the standard 'deflate'"
        )
    with archive.open(info) as member:
        data = member.read(MAX_FILE_BYTES + 1)  # the header's size may lie
    if len(data) > MAX_FILE_BYTES:
        raise SubmissionError(
            f"{where} is larger than the {_megabytes(MAX_FILE_BYTES)} limit for a file"
        )
    return data
