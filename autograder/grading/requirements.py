"""Whether this Python has an assignment's requirements, asked before anything is graded.

An assignment's manifest lists its ``requirements`` (pip's syntax). Grading without one
of them would charge every student for the grader's missing library: a question whose
library is missing reads as "your module fails to import". So ``rnnlab grade``, ``check``,
``validate``, ``grade-all`` and each Dask worker refuse at once, naming in one line what
is missing. A requirement pip cannot read, or one whose marker excludes this Python
(``; python_version < "3.12"``), is not asked for.
"""

from collections.abc import Iterable
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement

from autograder.errors import RnnlabError
from autograder.formats.manifest import Assignment


class RequirementsError(RnnlabError):
    """This Python lacks some of the assignment's requirements; the message names them."""


def missing(requirements: Iterable[str]) -> list[str]:
    """Each of ``requirements`` this Python lacks, with why: ``"scipy (not installed)"``,
    ``"numpy>=2 (1.26.4 installed)"``."""
    lacking = []
    for line in requirements:
        try:
            wanted = Requirement(line)
        except InvalidRequirement:
            continue  # pip's own options, paths, URLs: pip says what they need
        if wanted.marker is not None and not wanted.marker.evaluate():
            continue
        try:
            version = metadata.version(wanted.name)
        except metadata.PackageNotFoundError:
            lacking.append(f"{line} (not installed)")
            continue
        if wanted.specifier and not wanted.specifier.contains(version, prereleases=True):
            lacking.append(f"{line} ({version} installed)")
    return lacking


def refusal(assignment: Assignment, where: str, lacking: list[str]) -> RequirementsError:
    """The one-line refusal: what ``where`` lacks (``missing``) of ``assignment``'s needs."""
    return RequirementsError(
        f"{where} lacks what {assignment.name} needs to be graded: {'; '.join(lacking)}. "
        "Install the assignment's requirements first (the manifest's requirements); "
        "nothing was graded"
    )


def check(assignment: Assignment, where: str = "this Python") -> None:
    """Raise ``RequirementsError`` unless ``where`` has every requirement of ``assignment``."""
    lacking = missing(assignment.requirements)
    if lacking:
        raise refusal(assignment, where, lacking)
