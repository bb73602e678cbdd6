"""Grade a class: every submission in a folder, into a gradebook.

``workers`` grader processes each grade one student after another (the
grader's own start-up is paid once per worker, not per student); every
student's code still runs only in that student's sandboxes. The gradebook
(CSV: student, total, one column per question, status) gets a row as each
student finishes, flushed to disk, so a batch killed half way keeps every row
it wrote, and ``resume`` skips those students. Each student's
``results.json`` goes to ``results/`` beside the gradebook. If a grader
process dies, its student is retried once in a fresh one, then recorded with
a ``grader-error`` status; a student not graded in time gets a ``timeout``
row and their grader process is replaced; either way the batch goes on.
"""

import csv
import ctypes
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import connection as mp_connection
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from autograder import manifest
from autograder.manifest import Assignment


def columns(assignment: Assignment | None = None) -> list[str]:
    """The gradebook's header: student, total, one column per question, status."""
    assignment = assignment or manifest.current()
    return ["student", "total", *(q.id for q in assignment.questions), "status"]


@dataclass(frozen=True)
class Entry:
    student: str
    path: Path


@dataclass(frozen=True)
class Row:
    student: str
    total: float
    scores: dict[str, float]
    status: str

    def as_csv(self, assignment: Assignment | None = None) -> list[str]:
        assignment = assignment or manifest.current()
        return [
            self.student,
            f"{self.total:g}",
            *(f"{self.scores.get(q.id, 0):g}" for q in assignment.questions),
            self.status,
        ]


def discover(folder: Path) -> list[Entry]:
    """One entry per student: each sub-folder and each ``.zip``, named by it, in name order."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    entries = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not (path.is_dir() or path.suffix == ".zip"):
            continue
        entries.append(Entry(path.stem if path.suffix == ".zip" else path.name, path))
    return entries


def already_graded(gradebook: Path, assignment: Assignment | None = None) -> set[str]:
    """Students with a complete row in ``gradebook`` (a row cut off by a kill is not one)."""
    if not gradebook.exists():
        return set()
    with gradebook.open(newline="") as handle:
        rows = list(csv.reader(handle))
    width = len(columns(assignment))
    return {row[0] for row in rows[1:] if len(row) == width and row[-1]}


def grade_one(entry: Entry, results_dir: Path, assignment: Assignment | None = None) -> Row:
    """Grade one submission (in a grader process); its results.json lands in results_dir.

    Whatever happens, a row comes back: a grader fault is the row's status, never
    an exception that would stop the batch.
    """
    from autograder import results
    from autograder.grade import grade

    output = results_dir / f"{entry.student}.json"
    try:
        report = grade(entry.path, assignment=assignment, hidden_paths=[results_dir])
        results.write_json(report, output)
    except Exception as error:  # noqa: BLE001 - the grader's own failure: a row that says so
        return Row(entry.student, 0, {}, f"grader-error: {type(error).__name__}: {error}")
    log = results.grader_log(report)
    if log:
        output.with_suffix(".grader-errors.log").write_text(log)
    scores = {q: sum(o.score for o in outcomes) for q, outcomes in report.by_question().items()}
    return Row(entry.student, report.score, scores, "grader-error" if log else "graded")


def _die_with_the_batch() -> None:
    """Grader processes end when the batch does (their sandboxes follow them)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def _serve(connection: Connection, results_dir: Path, manifest_path: Path) -> None:
    """A grader process: grade each entry it is sent, answer with its row."""
    _die_with_the_batch()
    try:
        assignment, failed = manifest.load(manifest_path), None
    except manifest.ManifestError as error:  # changed since the batch began: every row says so
        assignment, failed = None, f"grader-error: {error}"
    while True:
        try:
            entry = connection.recv()
        except EOFError:
            return
        if assignment is None:
            connection.send(Row(entry.student, 0, {}, failed))
        else:
            connection.send(grade_one(entry, results_dir, assignment))


@dataclass
class _Grader:
    """One grader process and the student it is grading (if any)."""

    process: BaseProcess
    connection: Connection
    entry: Entry | None = None
    started: float = 0.0
    attempt: int = 1


def _rows(
    todo: list[Entry], results_dir: Path, workers: int, timeout: float, manifest_path: Path
) -> Iterator[Row]:
    """Grade ``todo`` on ``workers`` grader processes; yield each row as it is ready.

    A student still being graded after ``timeout`` seconds gets a ``timeout``
    row, and their grader process is killed (with their sandboxes) and replaced.
    A grader process that dies has its student retried once in a fresh one.
    """
    context = get_context("spawn")
    queue = [(entry, 1) for entry in todo]
    graders: list[_Grader] = []

    def start() -> _Grader:
        mine, theirs = context.Pipe()
        process = context.Process(
            target=_serve, args=(theirs, results_dir, manifest_path), daemon=True
        )
        process.start()
        theirs.close()
        return _Grader(process, mine)

    def stop(grader: _Grader) -> None:
        grader.process.kill()
        grader.process.join()
        grader.connection.close()
        graders.remove(grader)

    try:
        while queue or any(g.entry for g in graders):
            while queue and len([g for g in graders if g.entry]) < max(1, workers):
                idle = next((g for g in graders if g.entry is None), None) or start()
                if idle not in graders:
                    graders.append(idle)
                idle.entry, idle.attempt = queue.pop(0)
                idle.started = time.monotonic()
                idle.connection.send(idle.entry)
            busy = [g for g in graders if g.entry]
            now = time.monotonic()
            wait = min(g.started + timeout - now for g in busy)
            ready = mp_connection.wait(
                [g.connection for g in busy] + [g.process.sentinel for g in busy],
                timeout=max(0.0, wait),
            )
            for grader in busy:
                entry = grader.entry
                if grader.connection in ready and grader.connection.poll():
                    try:
                        row = grader.connection.recv()
                    except (EOFError, OSError):
                        row = None
                    if row is not None:
                        grader.entry = None
                        yield row
                        continue
                if grader.process.sentinel in ready or not grader.process.is_alive():
                    stop(grader)
                    if grader.attempt == 1:
                        queue.insert(0, (entry, 2))
                    else:
                        yield Row(entry.student, 0, {}, "grader-error: the grader process died")
                elif time.monotonic() - grader.started >= timeout:
                    stop(grader)
                    yield Row(entry.student, 0, {}, f"timeout: not graded within {timeout:g} s")
    finally:
        for grader in list(graders):
            stop(grader)


def grade_all(
    folder: Path,
    gradebook: Path,
    *,
    workers: int = 1,
    resume: bool = False,
    timeout: float | None = None,
    on_row: Callable[[Row], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    assignment: Assignment | None = None,
) -> list[Row]:
    """Grade every submission in ``folder`` into ``gradebook``; return the rows written now.

    ``assignment`` defaults to ``manifest.current()``. ``timeout`` is the most seconds
    one student may take (default: the most its question budgets allow, plus a
    margin). ``on_start(to_grade, skipped)`` is called once, ``on_row`` after every row.
    """
    from autograder.grade import worst_case_seconds

    assignment = assignment or manifest.current()
    entries = discover(folder)
    done = already_graded(gradebook, assignment) if resume else set()
    todo = [e for e in entries if e.student not in done]
    if on_start is not None:
        on_start(len(todo), len(entries) - len(todo))
    results_dir = gradebook.parent / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    fresh = not (resume and gradebook.exists())
    rows = []
    with gradebook.open("w" if fresh else "a", newline="") as handle:
        writer = csv.writer(handle)
        if fresh:
            _write(handle, writer, columns(assignment))
        seconds = timeout or worst_case_seconds(assignment=assignment)
        for row in _rows(todo, results_dir, workers, seconds, assignment.path):
            _write(handle, writer, row.as_csv(assignment))
            rows.append(row)
            if on_row is not None:
                on_row(row)
    return rows


def _write(handle, writer, values: list[str]) -> None:
    writer.writerow(values)
    handle.flush()
    os.fsync(handle.fileno())  # a kill now keeps this row


def pass_rates(results_dir: Path) -> list[tuple[str, int, int]]:
    """``(test name, passed, graded)`` for every test, the most failed first."""
    counts: dict[str, list[int]] = {}
    for path in sorted(results_dir.glob("*.json")):
        for test in json.loads(path.read_text())["tests"]:
            passed, graded = counts.setdefault(test["name"], [0, 0])
            counts[test["name"]] = [passed + (test["status"] == "passed"), graded + 1]
    return sorted(
        ((name, p, g) for name, (p, g) in counts.items()),
        key=lambda item: (item[1] / item[2], item[0]),
    )


def plot_pass_rates(rates: list[tuple[str, int, int]], path: Path) -> None:
    """A horizontal bar chart of the pass rate of every test, the most failed at the top."""
    from matplotlib.figure import Figure

    height = max(3.0, 0.22 * len(rates) + 1)
    fig = Figure(figsize=(10, height), layout="constrained")
    ax = fig.subplots()
    names = [name for name, _, _ in rates][::-1]
    values = [100 * p / g for _, p, g in rates][::-1]
    colors = ["tab:red" if v < 50 else "tab:orange" if v < 80 else "tab:green" for v in values]
    ax.barh(names, values, color=colors)
    ax.set(
        xlim=(0, 100),
        xlabel="students passing (%)",
        title=f"pass rate per test ({rates[0][2] if rates else 0} submissions)",
    )
    ax.tick_params(axis="y", labelsize=7)
    fig.savefig(path, dpi=100)
