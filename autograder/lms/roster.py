"""Who handed in each submission, when, and what lateness costs.

Identity comes from one of two files:

- a Gradescope export's ``submission_metadata.yml`` ("Export Submissions": one folder
  ``submission_<id>/`` per submission beside it). It maps each folder to its
  ``:submitters:`` (each with ``:name:``, ``:sid:``, ``:email:``) and its ``:created_at:``
  (the submission time, with its UTC offset). Its keys are Ruby symbols, so YAML reads
  them with a leading colon (``:submitters``); tags of Ruby objects elsewhere in the file
  are read as plain data. Rows are then named by their submitters (``Ann Lee``; a group
  ``Ann Lee & Ben Wu``), not by ``submission_<id>``, and kept unique (``Ann Lee (1234)``
  when two share a name).
- a roster CSV (``--roster``): a header with ``student`` (the folder's or zip's name) and
  any of ``name``, ``sid``, ``email``, ``submitted_at``, ``due``. The folder name stays the id.

Either can move one student's due date (an extension): the roster's ``due`` column, or a
``:due_date:`` in the submission's metadata. The late policy then counts that student's
lateness from it, and the gradebook's ``extended_due`` says so.

A submission's time is the file's, else the newest modification time of its files (a
zip: the zip's own); ``submitted_from`` says which (``metadata``, ``roster``, ``mtime``).

A ``LatePolicy`` (a due date, a penalty in percent of the total per started day late, an
optional cutoff in days) gives each row its lateness in hours and its penalty; past the
cutoff the penalty is 100 % and the status ``late-cutoff``.
"""

import csv
import dataclasses
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from autograder.errors import UsageError
from autograder.formats.classroom import Entry
from autograder.formats.files import write_atomic
from autograder.formats.gradebook import student_id
from autograder.model.row import Row, Status

METADATA = "submission_metadata.yml"
"""The file a Gradescope export has beside its ``submission_<id>/`` folders."""
ROSTER_COLUMNS = ("student", "name", "sid", "email", "submitted_at", "due")
MAX_SCANNED = 20_000
"""The most entries of a submission folder looked at for its newest file."""


class RosterError(UsageError):
    """A metadata file or roster that cannot be read; the message names the file and place."""


class PolicyError(ValueError):
    """A due date or late policy that makes no sense; the message says why."""


@dataclass(frozen=True)
class Person:
    name: str = ""
    sid: str = ""
    email: str = ""


@dataclass(frozen=True)
class Identity:
    """Who handed in one submission (several people for a group), and when, if known."""

    people: tuple[Person, ...] = ()
    submitted_at: datetime | None = None
    source: str = ""
    """Where ``submitted_at`` comes from: ``metadata`` or ``roster``."""
    due: datetime | None = None
    """This submission's own due date (an extension), in place of the late policy's."""

    def joined(self, field: str) -> str:
        return "; ".join(getattr(p, field) for p in self.people)


# -- reading the files ------------------------------------------------------------------------


def parse_time(text: str, *, local_if_naive: bool = True) -> datetime:
    """An ISO 8601 date and time (``T`` or a space; seconds, fraction and offset optional, the
    fraction to any precision, ``Z`` or ``+hh:mm``/``+hhmm`` with or without a space before).
    Without an offset it is local time (``local_if_naive``) or UTC."""
    match = re.fullmatch(
        r"\s*(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?"
        r"\s*(Z|[+-]\d\d(?::?\d\d)?)?\s*",
        text,
    )
    if not match:
        raise PolicyError(f"{text!r} is not a date and time like 2026-12-01T23:59")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError as error:
        raise PolicyError(f"{text!r} is not a date and time: {error}") from None
    if offset is None:
        return moment.astimezone() if local_if_naive else moment.replace(tzinfo=UTC)
    if offset == "Z":
        return moment.replace(tzinfo=UTC)
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    if delta >= timedelta(hours=24):
        raise PolicyError(f"{text!r}: the offset {offset} is not a time zone's")
    return moment.replace(tzinfo=timezone(-delta if offset[0] == "-" else delta))


def _moment(value, where: str) -> datetime | None:
    """``:created_at:`` as YAML read it: a datetime (UTC if naive), a string, or nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return parse_time(str(value), local_if_naive=False)
    except PolicyError as error:
        raise RosterError(f"{where}: {error}") from None


def _due(value, where: str) -> datetime | None:
    """``:due_date:`` as YAML read it: as ``_moment``, a date alone being its 23:59."""
    moment = _moment(value, where)
    if moment is not None and re.fullmatch(r"\s*\d{4}-\d\d-\d\d\s*", str(value)):
        moment = moment.replace(hour=23, minute=59)
    return moment


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def read_metadata(path: Path) -> dict[str, Identity]:
    """``submission_metadata.yml``: submission folder name -> who and when."""
    import yaml

    class Loader(yaml.SafeLoader):
        """Safe, and reads a Ruby object's tag as the plain data under it."""

    def untagged(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", untagged)
    Loader.add_multi_constructor("tag:", untagged)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)  # a SafeLoader
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as error:
        raise RosterError(f"{path}: not a Gradescope metadata file: {error}") from None
    if not isinstance(data, dict):
        raise RosterError(f"{path}: not a Gradescope metadata file: no mapping of submissions")
    identities = {}
    for folder, record in data.items():
        where = f"{path}: {folder}"
        record = record if isinstance(record, dict) else {}
        submitters = _key(record, "submitters") or []
        if not isinstance(submitters, list):
            raise RosterError(f"{where}: :submitters: should be a list")
        people = tuple(
            Person(
                _text(_key(s, "name")),
                _text(_key(s, "sid")),
                _text(_key(s, "email")),
            )
            for s in submitters
            if isinstance(s, dict)
        )
        moment = _moment(_key(record, "created_at"), where)
        due = _due(_key(record, "due_date"), f"{where}: :due_date:")
        identities[student_id(str(folder))] = Identity(
            people, moment, "metadata" if moment else "", due
        )
    return identities


def _key(record: dict, name: str):
    """``record``'s value for the Ruby symbol ``:name`` (or a plain ``name``)."""
    for key in (f":{name}", name, f":{name}:"):
        if key in record:
            return record[key]
    return None


def read_roster(path: Path) -> dict[str, Identity]:
    """A roster CSV: student (the folder's or zip's name) -> who and, if given, when."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RosterError(f"{path}: cannot read the roster: {error}") from None
    if not rows:
        raise RosterError(f"{path}: the roster is empty (it needs a header: student, name, ...)")
    header = [cell.strip().lower() for cell in rows[0]]
    if "student" not in header:
        raise RosterError(
            f"{path}: the roster's header has no 'student' column (the submission's folder "
            f"or zip name); its columns may be {', '.join(ROSTER_COLUMNS)}"
        )
    identities = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        student = cells.get("student", "")
        if not student:
            raise RosterError(f"{path}: line {number}: no student")
        if student in identities:
            raise RosterError(f"{path}: line {number}: student {student!r} is listed twice")
        moment = None
        if cells.get("submitted_at"):
            try:
                moment = parse_time(cells["submitted_at"])
            except PolicyError as error:
                raise RosterError(f"{path}: line {number}: submitted_at: {error}") from None
        due = None
        if cells.get("due"):
            try:
                due = parse_due(cells["due"])
            except PolicyError as error:
                raise RosterError(f"{path}: line {number}: due: {error}") from None
        person = Person(cells.get("name", ""), cells.get("sid", ""), cells.get("email", ""))
        identities[student] = Identity((person,), moment, "roster" if moment else "", due)
    return identities


def load(folder: Path, roster: Path | None = None) -> tuple[dict[str, Identity], bool]:
    """The identities of ``folder``'s submissions by folder name, and whether rows are to be
    named by their submitters: from ``roster`` (a CSV, or a ``.yml`` metadata file), else
    from ``folder``'s ``submission_metadata.yml``, else none."""
    if roster is not None:
        if not roster.is_file():
            raise RosterError(f"{roster}: no such roster")
        if roster.suffix.lower() in (".yml", ".yaml"):
            return read_metadata(roster), True
        return read_roster(roster), False
    if (folder / METADATA).is_file():
        return read_metadata(folder / METADATA), True
    return {}, False


def identify(
    folder: Path, entries: list[Entry], roster: Path | None = None
) -> tuple[list[Entry], dict[str, Identity]]:
    """``entries`` renamed by their submitters when the identities come from metadata, and
    every student's identity by (new) id. Ids stay unique; a roster naming no submission is
    fine (someone who handed in nothing)."""
    identities, rename = load(folder, roster)
    found = {e.student: identities.get(e.student) for e in entries}
    if not rename:
        return entries, {s: i for s, i in found.items() if i is not None}
    wanted = {e.student: _id_of(found[e.student]) or e.student for e in entries}
    counts = Counter(wanted.values())
    final: dict[str, str] = {}
    for entry in entries:
        base, identity = wanted[entry.student], found[entry.student]
        if counts[base] > 1 and identity is not None:
            sids = identity.joined("sid")
            base = f"{base} ({sids or entry.student})"
        final[entry.student] = base
    clashes = [s for s, n in Counter(final.values()).items() if n > 1]
    for entry in entries:  # still the same (a name and sid shared): the folder decides
        if final[entry.student] in clashes:
            final[entry.student] = f"{final[entry.student]} ({entry.student})"
    renamed = [dataclasses.replace(e, student=final[e.student]) for e in entries]
    seen: dict[str, Entry] = {}
    for entry in renamed:
        if entry.student in seen:
            raise UsageError(
                f"two submissions for student {entry.student!r}: {seen[entry.student].path} "
                f"and {entry.path}; rename or remove one"
            )
        seen[entry.student] = entry
    return renamed, {final[s]: i for s, i in found.items() if i is not None}


def select(entries: list[Entry], wanted) -> list[Entry]:
    """The entries ``wanted`` names, each by its id or its folder's (or zip's) name; an
    unknown name is refused."""
    chosen, missing = [], []
    for name in wanted:
        match = [
            e
            for e in entries
            if name in (e.student, e.path.name, student_id(e.path.stem), student_id(e.path.name))
        ]
        if not match:
            missing.append(name)
        chosen += [e for e in match if e not in chosen]
    if missing:
        known = ", ".join(repr(e.student) for e in entries[:20])
        more = f", ... ({len(entries)} in all)" if len(entries) > 20 else ""
        raise UsageError(
            f"argument --only: no submission of {missing[0]!r} (the students: {known}{more})"
        )
    return chosen


def _id_of(identity: Identity | None) -> str:
    """A row's id from its submitters: their names (else SIDs, else emails), safe as a file
    name: no ``/``, no control characters, no leading dot."""
    if identity is None:
        return ""
    names = [p.name or p.sid or p.email for p in identity.people]
    text = " & ".join(n for n in names if n)
    text = re.sub(r"[/\\\x00-\x1f\x7f]", "_", text).strip()
    if text.startswith("."):
        text = "_" + text[1:]
    return text[:200]


# -- submission time and lateness ---------------------------------------------------------------


def newest_mtime(path: Path) -> datetime:
    """When a submission was last changed: a zip's own time; for a folder, its newest regular
    file's (links are not followed; at most ``MAX_SCANNED`` entries are looked at)."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        files, seen, stack = [], 0, [path]
        while stack and seen < MAX_SCANNED:
            try:
                with os.scandir(stack.pop()) as listing:
                    for item in listing:
                        seen += 1
                        if item.is_dir(follow_symlinks=False):
                            stack.append(Path(item.path))
                        elif item.is_file(follow_symlinks=False):
                            files.append(item.stat(follow_symlinks=False).st_mtime)
                        if seen >= MAX_SCANNED:
                            break
            except OSError:
                continue
        newest = max(files) if files else newest
    return datetime.fromtimestamp(newest).astimezone()


@dataclass(frozen=True)
class LatePolicy:
    """A due date; a penalty in percent of the total for every day late, a started day
    counting whole; past ``cutoff_days`` late, the total is 0."""

    due: datetime
    per_day: float = 0.0
    cutoff_days: float | None = None

    def __post_init__(self) -> None:
        if self.due.tzinfo is None:
            raise PolicyError("the due date needs a time zone")
        if not (0 <= self.per_day <= 100) or math.isnan(self.per_day):
            raise PolicyError(f"a penalty per day of {self.per_day:g} % is not in 0..100")
        if self.cutoff_days is not None and not (self.cutoff_days >= 0):
            raise PolicyError(f"a cutoff of {self.cutoff_days:g} days is not >= 0")

    def assess(self, submitted: datetime, due: datetime | None = None) -> tuple[float, float, bool]:
        """``(hours late, penalty in percent, past the cutoff)`` for a submission at
        ``submitted``, due at ``due`` (a student's extension) or the policy's due date."""
        hours = max(0.0, (submitted - (due or self.due)).total_seconds() / 3600)
        if self.cutoff_days is not None and hours > self.cutoff_days * 24:
            return hours, 100.0, True
        days = math.ceil(hours / 24)
        return hours, min(100.0, self.per_day * days), False

    def as_json(self) -> dict:
        return {
            "due": self.due.isoformat(),
            "penalty_per_day": self.per_day,
            "cutoff_days": self.cutoff_days,
        }

    @classmethod
    def from_json(cls, data: dict) -> "LatePolicy":
        return cls(parse_time(data["due"]), float(data["penalty_per_day"]), data.get("cutoff_days"))

    def describe(self) -> str:
        cutoff = f", 0 after {self.cutoff_days:g} days" if self.cutoff_days is not None else ""
        return f"due {self.due.isoformat()}, -{self.per_day:g} % a started day late{cutoff}"


def parse_due(text: str) -> datetime:
    """``--due``: a date and time (local time unless it has an offset); a date alone is its
    last minute."""
    moment = parse_time(text)
    if re.fullmatch(r"\s*\d{4}-\d\d-\d\d\s*", text):
        moment = moment.replace(hour=23, minute=59)
    return moment


def parse_percent(text: str) -> float:
    """``--penalty-per-day``: a percentage of the total, 0..100 (a trailing ``%`` allowed)."""
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        raise PolicyError(f"{text!r} is not a percentage (a number from 0 to 100)") from None
    if not (0 <= value <= 100):
        raise PolicyError(f"{text!r} is not a percentage from 0 to 100")
    return value


def parse_days(text: str) -> float:
    """``--cutoff-days``: days late after which a submission scores 0 (a number >= 0)."""
    try:
        value = float(text.strip().removesuffix("d"))
    except ValueError:
        raise PolicyError(f"{text!r} is not a number of days") from None
    if not (value >= 0) or math.isinf(value):
        raise PolicyError(f"{text!r} is not a number of days >= 0")
    return value


def policy_file(gradebook: Path) -> Path:
    """Where the late policy a gradebook was graded under is kept, beside it."""
    return gradebook.with_name(gradebook.name + ".late.json")


def remembered(gradebook: Path) -> LatePolicy | None:
    """The late policy ``gradebook`` was last graded under, if any."""
    path = policy_file(gradebook)
    if not path.is_file():
        return None
    try:
        return LatePolicy.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as error:
        raise RosterError(f"{path}: not a late policy ({error}); remove it or give --due") from None


def remember(gradebook: Path, policy: LatePolicy | None) -> None:
    path = policy_file(gradebook)
    if policy is None:
        path.unlink(missing_ok=True)
        return
    write_atomic(path, json.dumps(policy.as_json(), indent=1) + "\n")


def stamp(
    row: Row, identity: Identity | None, submission: Path | None, policy: LatePolicy | None
) -> Row:
    """``row`` with who handed it in, when, and what lateness costs."""
    identity = identity or Identity()
    moment, source = identity.submitted_at, identity.source
    if moment is None and submission is not None and os.path.lexists(submission):
        moment, source = newest_mtime(submission), "mtime"
    late_hours, penalty, cut = None, 0.0, False
    if policy is not None and moment is not None:
        late_hours, penalty, cut = policy.assess(moment, identity.due)
    return dataclasses.replace(
        row,
        name=identity.joined("name"),
        sid=identity.joined("sid"),
        email=identity.joined("email"),
        submitted_at=moment.isoformat(timespec="seconds") if moment else "",
        submitted_from=source,
        extended_due=identity.due.isoformat(timespec="minutes") if identity.due else "",
        late_hours=late_hours,
        penalty=penalty,
        status=late_status(row.status, cut),
    )


def late_status(status: str, cut: bool) -> str:
    """A graded row past the cutoff says so; a row back within it is graded again."""
    if cut and status == Status.GRADED:
        return Status.LATE_CUTOFF
    if not cut and status == Status.LATE_CUTOFF:
        return Status.GRADED
    return status
