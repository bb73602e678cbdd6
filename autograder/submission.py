"""Turn what a student handed in into a folder of modules, refusing anything unsafe.

A submission is a folder, a ``.zip`` of one (modules at the top or in one
folder inside it), or the zip the notebook's ``grader.export()`` writes. Only
``.py`` files are kept. Zips are read member by member: absolute paths,
``..``, links, and oversized or too many members are refused, never extracted.
"""

import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.rubric import MODULES

MAX_FILES = 2000
MAX_FILE_BYTES = 5 << 20
MAX_TOTAL_BYTES = 50 << 20


class SubmissionError(Exception):
    """The submission as a whole cannot be graded; the message says why, in one line."""


@dataclass
class Submission:
    folder: Path
    """A folder holding the submission's ``.py`` files."""
    problems: dict[str, str] = field(default_factory=dict)
    """Module name -> why it cannot be imported (missing, not UTF-8)."""


def prepare(path: Path, dest: Path) -> Submission:
    """Copy the submission's Python files from ``path`` into the new folder ``dest``."""
    path = Path(path)
    if path.is_dir():
        files = _from_folder(path)
    elif path.is_file():
        files = _from_zip(path)
    else:
        raise SubmissionError(f"{path} does not exist")
    dest.mkdir(parents=True)
    for name, data in files.items():
        (dest / name).write_bytes(data)
    problems = {}
    for module in MODULES:
        data = files.get(f"{module}.py")
        if data is None:
            problems[module] = f"{module}.py is missing from the submission"
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            problems[module] = f"{module}.py is not UTF-8 text (byte {error.start})"
    return Submission(dest, problems)


def _pick_folder(python_files: dict[PurePosixPath, int]) -> PurePosixPath | None:
    """The folder holding the most graded modules (the top level wins ties)."""
    score: dict[PurePosixPath, int] = {}
    for name in python_files:
        if name.stem in MODULES:
            score[name.parent] = score.get(name.parent, 0) + 1
    if not score:
        return None
    return max(score, key=lambda folder: (score[folder], -len(folder.parts)))


def _from_folder(path: Path) -> dict[str, bytes]:
    found = {}
    for file in path.rglob("*.py"):
        relative = PurePosixPath(file.relative_to(path).as_posix())
        if file.is_symlink() or any(p.startswith(".") for p in relative.parts):
            continue
        found[relative] = file.stat().st_size
        if len(found) > MAX_FILES:
            raise SubmissionError(f"{path} holds more than {MAX_FILES} Python files")
    folder = _pick_folder(found)
    if folder is None:
        return {}
    return {
        name.name: (path / name).read_bytes()[:MAX_FILE_BYTES]
        for name in found
        if name.parent == folder
    }


def _from_zip(path: Path) -> dict[str, bytes]:
    if not zipfile.is_zipfile(path):
        raise SubmissionError(f"{path.name} is neither a folder nor a zip file")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_FILES:
                raise SubmissionError(
                    f"{path.name} has {len(members)} entries (at most {MAX_FILES})"
                )
            total, python = 0, {}
            for info in members:
                name = PurePosixPath(info.filename)
                if (
                    info.filename.startswith(("/", "\\"))
                    or ".." in name.parts
                    or ":" in name.parts[0]
                ):
                    raise SubmissionError(f"{path.name} contains an unsafe path: {info.filename!r}")
                if stat.S_ISLNK(info.external_attr >> 16):
                    raise SubmissionError(f"{path.name} contains a link: {info.filename!r}")
                total += info.file_size
                if info.file_size > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
                    raise SubmissionError(f"{path.name} unpacks to more than the size limit")
                if not info.is_dir() and name.suffix == ".py" and "__MACOSX" not in name.parts:
                    python[name] = info
            folder = _pick_folder({n: i.file_size for n, i in python.items()})
            if folder is None:
                return {}
            return {
                name.name: _read_member(archive, info)
                for name, info in python.items()
                if name.parent == folder
            }
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise SubmissionError(f"{path.name} is a broken zip file ({error})") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as member:
        data = member.read(MAX_FILE_BYTES + 1)  # the header's size may lie
    if len(data) > MAX_FILE_BYTES:
        raise SubmissionError(f"{info.filename} unpacks to more than the size limit")
    return data
