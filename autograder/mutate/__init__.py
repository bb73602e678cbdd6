"""Mutation testing of the grader: do the tests notice a small slip in the reference?

A mutant is the reference with ONE small change in one graded function (a
``-`` for a ``+``, a dropped statement, ``x[0]`` for ``x[-1]`` ...), made by
rewriting the function's AST. Each mutant is graded like a submission on the
questions of its module and classified:

- ``killed``: its own question lost points (a timeout counts: the tests noticed);
- ``leak``: full marks on its own question but points lost on another one, so
  one slip costs a student a question it is not about;
- ``survived``: full marks everywhere: the tests miss this slip, unless it is
  ``equivalent`` (listed, with the reason, in the file the manifest's
  ``equivalent_mutants`` names);
- ``grader-fault``: some test got no verdict because the grader failed.

Mutations touch only the graded functions' solution code (between ``# BEGIN
SOLUTION`` and ``# END SOLUTION``), never docstrings or signatures. Numeric
constants: an int ``c`` becomes ``c + 1`` and ``c - 1``; a float ``c`` becomes
``2 * c`` and ``c / 2`` (``0.0`` becomes ``1.0``): floats here are scales and
bounds, where halving or doubling is the plausible slip.

Generation is deterministic; ``sample(mutants, n, seed)`` picks ``n`` in all,
spread evenly over the questions: the same ones for the same seed. A mutant's
question runs under its profile's ``mutant_seconds`` (the manifest's).

``wrong_answers`` asks the other question of a test's quality: does each hidden test give
a verdict on any answer (``None``, a wrong shape, NaN, an exception), never a grader error?
``rnnlab validate`` runs it.
"""

from autograder.mutate.grading import (
    WORKERS,
    Graded,
    Result,
    default_workers,
    grade_each,
    load_equivalent,
    run,
)
from autograder.mutate.mutants import Mutant, generate, sample
from autograder.mutate.report import as_json, counts, print_listed, print_report

__all__ = [
    "WORKERS",
    "Graded",
    "Mutant",
    "Result",
    "as_json",
    "counts",
    "default_workers",
    "generate",
    "grade_each",
    "load_equivalent",
    "print_listed",
    "print_report",
    "run",
    "sample",
]
