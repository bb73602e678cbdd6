"""Grading mutants like submissions, in parallel, and classifying each."""

import ctypes
import os
import shutil
import signal
import tempfile
import time
import tomllib
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from autograder.formats import manifest
from autograder.formats.manifest import Assignment
from autograder.mutate.mutants import Mutant

WORKERS = 2
"""Mutants graded at once: measured fastest on 2 cores (benchmarks/bench_mutate.py)."""
TIMEOUT_WORDS = ("ran out of time", "no answer within")


@dataclass
class Graded:
    """What grading one mutant gave (plain data: it comes back from a worker process)."""

    scores: dict[str, float] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    """``question: test title`` of every test that failed."""
    timeout: bool = False
    grader_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Result:
    mutant: Mutant
    graded: Graded
    status: str
    reason: str | None = None
    """Why the mutant is equivalent (from the equivalent-mutants file)."""


def load_equivalent(
    path: Path | None = None, *, assignment: Assignment | None = None
) -> dict[str, str]:
    """``{mutant id: reason}`` of the mutants known to change nothing.

    ``path`` defaults to the assignment's ``equivalent_mutants`` file (none: no mutant).
    """
    if path is None:
        path = (assignment or manifest.current()).equivalent_mutants
    if path is None or not path.exists():
        return {}
    entries = tomllib.loads(path.read_text()).get("mutant", [])
    return {str(e["id"]): str(e.get("reason", "")) for e in entries}


def classify(mutant: Mutant, graded: Graded, equivalent: dict[str, str]) -> Result:
    """The mutant's status: a fault first (no verdict to trust), then where it lost points."""
    if graded.grader_errors:
        return Result(mutant, graded, "grader-fault")
    lost = {q for q, score in graded.scores.items() if score < graded.max_scores[q]}
    if mutant.question in lost:
        return Result(mutant, graded, "killed")
    if lost:
        return Result(mutant, graded, "leak")
    if mutant.id in equivalent:
        return Result(mutant, graded, "equivalent", equivalent[mutant.id])
    return Result(mutant, graded, "survived")


def mutant_seconds(assignment: Assignment) -> dict[str, float]:
    """A question's budget for a mutant, per profile: the manifest's ``mutant_seconds``.

    Enough for the reference beside another grading; an endless loop costs no more."""
    return {name: p.mutant_seconds for name, p in assignment.profiles.items()}


@cache
def _load(path: Path) -> Assignment:
    """The assignment of a worker process, loaded once."""
    return manifest.load(path)


def grade_mutant(
    mutant: Mutant,
    seconds: dict[str, float] | None = None,
    assignment: Assignment | Path | None = None,
) -> Graded:
    """Grade the reference with ``mutant``'s module in place, on that module's questions.

    ``mutant`` is anything with a ``module`` and that module's ``source`` (an equivalent
    variant too). ``assignment`` (or its manifest's path: a worker process loads it once)
    defaults to ``manifest.current()``.
    """
    from autograder.grading.grade import grade

    started = time.monotonic()
    try:
        if isinstance(assignment, Path):
            assignment = _load(assignment)
        assignment = assignment or manifest.current()
        questions = [q for q in assignment.questions if q.module == mutant.module]
        with tempfile.TemporaryDirectory(prefix="rnnlab-mutant-") as scratch:
            folder = Path(scratch) / "submission"
            folder.mkdir()
            for module in assignment.modules:
                shutil.copy(assignment.reference / f"{module}.py", folder / f"{module}.py")
            (folder / f"{mutant.module}.py").write_text(mutant.source)
            budget = mutant_seconds(assignment) | (seconds or {})
            report = grade(folder, assignment=assignment, questions=questions, seconds=budget)
    except Exception:  # noqa: BLE001 - grade() itself broke: the grader's fault, on record
        return Graded(grader_errors=[traceback.format_exc()], seconds=time.monotonic() - started)
    graded = Graded(seconds=time.monotonic() - started)
    for q, outcomes in report.by_question().items():
        graded.scores[q] = sum(o.score for o in outcomes)
        graded.max_scores[q] = sum(o.test.points for o in outcomes)
    for outcome in report.outcomes:
        if not outcome.passed:
            graded.failed.append(outcome.name)
            graded.timeout |= any(w in outcome.output for w in TIMEOUT_WORDS)
        if outcome.grader_error is not None:
            graded.grader_errors.append(f"{outcome.name}\n{outcome.grader_error}")
    return graded


def run(
    mutants: Sequence[Mutant],
    *,
    workers: int | None = None,
    seconds: dict[str, float] | None = None,
    equivalent: dict[str, str] | None = None,
    on_result: Callable[[Result], None] | None = None,
    assignment: Assignment | None = None,
) -> list[Result]:
    """Grade ``mutants``, ``workers`` at once (default ``default_workers()``), in processes.

    The results come in the order of ``mutants``. ``assignment`` defaults to
    ``manifest.current()``; ``equivalent`` to its file's.
    """
    assignment = assignment or manifest.current()
    known = load_equivalent(assignment=assignment) if equivalent is None else equivalent
    results: dict[str, Result] = {}

    def classified(mutant: Mutant, graded: Graded) -> None:
        results[mutant.id] = classify(mutant, graded, known)
        if on_result is not None:
            on_result(results[mutant.id])

    grade_each(
        mutants, workers=workers, seconds=seconds, assignment=assignment, on_graded=classified
    )
    return [results[m.id] for m in mutants]


def grade_each(
    changed: Sequence[Any],
    *,
    workers: int | None = None,
    seconds: dict[str, float] | None = None,
    assignment: Assignment | None = None,
    on_graded: Callable[[Any, Graded], None] | None = None,
) -> dict[str, Graded]:
    """``{id: Graded}`` of each changed module (a mutant, a variant: ``id``, ``question``,
    ``module``, ``source``), graded by ``grade_mutant``, ``workers`` at once, in processes.

    A grader process that dies sends its modules to a fresh pool once; a second death
    is a grader fault. ``on_graded(item, graded)`` is called as each one is done.
    """
    assignment = assignment or manifest.current()

    def budget(item: Any) -> float:
        return assignment.profile(assignment.question(item.question)).mutant_seconds

    # The slowest profile's first: started last, they would leave a long tail.
    todo = sorted(changed, key=budget, reverse=True)
    graded: dict[str, Graded] = {}
    for attempt in (1, 2):
        lost = []
        pool = ProcessPoolExecutor(
            workers or default_workers(),
            mp_context=get_context("spawn"),
            initializer=_die_with_the_run,
        )
        try:
            futures = {pool.submit(grade_mutant, m, seconds, assignment.path): m for m in todo}
            for future in as_completed(futures):
                item = futures[future]
                try:
                    graded[item.id] = future.result()
                except BrokenProcessPool:
                    if attempt == 1:
                        lost.append(item)
                        continue
                    graded[item.id] = Graded(grader_errors=["the grader process died (twice)"])
                if on_graded is not None:
                    on_graded(item, graded[item.id])
        except BaseException:  # Ctrl-C: no waiting for the queue; the graders die with us
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        todo = lost
        if not todo:
            break
    return graded


def _die_with_the_run() -> None:
    """A grader process ends when the run does (and its sandboxes follow it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def default_workers() -> int:
    """``WORKERS``, or fewer on fewer cores."""
    return min(WORKERS, os.cpu_count() or 1)
