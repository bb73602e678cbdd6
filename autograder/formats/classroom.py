"""A class of submissions: one entry per student, found in a folder."""

from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UsageError
from autograder.formats.gradebook import student_id


@dataclass(frozen=True)
class Entry:
    student: str
    path: Path
    questions: tuple[str, ...] = ()
    """Regrade only these questions, into the student's results (all of them: empty)."""


def discover(folder: Path) -> list[Entry]:
    """One entry per student: each sub-folder and each ``.zip``, named by it, in name order.

    Raises ``UsageError`` if two submissions would be one student (``alice/`` and
    ``alice.zip``), naming both.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    entries: dict[str, Entry] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not (path.is_dir() or path.suffix == ".zip"):
            continue
        student = student_id(path.stem if path.suffix == ".zip" else path.name)
        if student in entries:
            raise UsageError(
                f"two submissions for student {student!r}: {entries[student].path} and {path}; "
                "rename or remove one"
            )
        entries[student] = Entry(student, path)
    return list(entries.values())
