"""The rubric's format: questions, their tests, points and who sees them.

An assignment's manifest declares its rubric (``autograder.formats.manifest``); scores,
reports, the stubs and the kit read it from there. Partial credit is per test: a
test scores all its points or none.
"""

from dataclasses import dataclass
from typing import Literal

from autograder.errors import RnnlabError

Visibility = Literal["public", "hidden"]


@dataclass(frozen=True)
class Test:
    id: str
    title: str
    points: float
    visibility: Visibility
    shown: str | None = None
    """When students see its result: ``public`` for a public test; for a hidden one, its
    ``hidden_visibility`` (``model.visibility``; None: the default)."""
    public: tuple[str, ...] = ()
    """For a hidden test: the ids of the public tests of the same clause."""


@dataclass(frozen=True)
class Question:
    id: str
    module: str
    functions: tuple[str, ...]
    tests: tuple[Test, ...]
    profile: str
    """The name of the resource profile it runs under (the manifest's ``profiles``)."""

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tests)


def points_text(points: float, kind: str = "") -> str:
    """``1 point``, ``0.5 points``, ``3 public points`` (``kind``: "public"): as every text
    for students counts them."""
    return f"{points:g} {kind + ' ' if kind else ''}point{'' if points == 1 else 's'}"


def public_scale(earned: float, public: float, hidden: float) -> str:
    """The public points earned, and the points still to be graded: "1.5 of the 3.5 public
    points; 22.5 more points are graded by hidden tests after you submit", as ``rnnlab
    check``, the kit's pytest and the notebook's checks say it (the kit has no rnnlab: its
    ``rnnlab_check.scale`` has the same words)."""
    verb = "is" if hidden == 1 else "are"
    more = f"; {points_text(hidden, 'more')} {verb} graded by hidden tests after you submit"
    return f"{earned:g} of the {points_text(public, 'public')}{more if hidden else ''}"


class UnknownQuestion(RnnlabError, LookupError):
    """A question id that the rubric does not have."""
