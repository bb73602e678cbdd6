"""A student's row of a gradebook, as data: their scores, who they are, when they handed in,
and the row's status (``formats.gradebook`` reads and writes it as CSV)."""

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """What a row's status cell says: one of these, alone or followed by ``: why``
    (``because``). ``grader-error`` alone: graded, but some test met a grader error; with
    a reason: the grading itself failed."""

    GRADED = "graded"
    LATE_CUTOFF = "late-cutoff"
    TIMEOUT = "timeout"
    GRADER_ERROR = "grader-error"

    def because(self, why: str) -> str:
        return f"{self.value}: {why}"


FINAL_STATUSES = (Status.GRADED, Status.TIMEOUT, Status.LATE_CUTOFF)
"""Rows a resumed batch keeps, with or without a reason; any other (an error) is graded again."""
WITH_RESULTS = frozenset({Status.GRADED, Status.LATE_CUTOFF, Status.GRADER_ERROR})
"""Status cells (exactly these) whose row's results file is this grade's: a timeout or a
failed grading may have an older one, or none."""


@dataclass(frozen=True)
class Row:
    student: str
    total: float
    scores: dict[str, float]
    status: str
    seconds: float = 0.0
    """How long the student took, start to row."""
    name: str = ""
    sid: str = ""
    email: str = ""
    submitted_at: str = ""
    submitted_from: str = ""
    """Where ``submitted_at`` comes from: ``metadata``, ``roster`` or ``mtime``."""
    extended_due: str = ""
    """This student's own due date (an extension), when it is not the class's ("")."""
    late_hours: float | None = None
    """None: no due date."""
    penalty: float = 0.0
    """The late penalty, in percent of the total."""

    @property
    def adjusted_total(self) -> float:
        return round(self.total * (1 - self.penalty / 100), 4)

    @property
    def shown_name(self) -> str:
        """Who the row is, for people: the roster's or metadata's names, else the id."""
        return self.name or self.student

    @property
    def late(self) -> bool:
        """Handed in after their due date (an on-time or undated row is not)."""
        return bool(self.late_hours) or self.penalty > 0
