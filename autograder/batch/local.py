"""Grade a class: every submission in a folder, into a gradebook (``autograder.formats.gradebook``).

``workers`` grader processes each grade one student after another (the
grader's own start-up is paid once per worker, not per student); every
student's code still runs only in that student's sandboxes. The gradebook is
rewritten whole as each student finishes, so a batch killed at any moment
leaves the last complete gradebook, never a torn row; ``resume`` skips the
students graded (or timed out) in it and retries those whose row is an error.
Each student's ``results.json`` goes to ``results/`` beside the gradebook, and
``<gradebook>.log`` says when each student started and finished. If a grader
process dies, its student is retried once in a fresh one, then recorded with a
``grader-error`` status; a student not graded in time gets a ``timeout`` row
and their grader process is replaced; either way the batch goes on. Ctrl-C
stops the batch at once, with every finished row kept. With ``scheduler`` (a
Dask scheduler's ``tls://`` address) and ``tls`` (the class's certificates), the
students are graded on that cluster's workers instead (``autograder.batch.cluster``),
into the same gradebook.

A student's id is their folder's or zip's name, with bytes that are not UTF-8
escaped (``\\xNN``); two submissions with one id are refused before grading.
"""

import contextlib
import ctypes
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import connection as mp_connection
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from autograder.batch.student import grade_one, timeout_row
from autograder.errors import UsageError
from autograder.formats import manifest
from autograder.formats.classroom import Entry, discover
from autograder.formats.files import private_folder
from autograder.formats.gradebook import append_log, read_book, row_cells, write_gradebook
from autograder.formats.manifest import Assignment
from autograder.grading import requirements
from autograder.model.row import FINAL_STATUSES, WITH_RESULTS, Row, Status


def _die_with_the_batch() -> None:
    """Grader processes end when the batch does (their sandboxes follow them)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def _serve(connection: Connection, results_dir: Path, manifest_path: Path) -> None:
    """A grader process: grade each entry it is sent, answer with its row."""
    _die_with_the_batch()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    try:
        assignment, failed = manifest.load(manifest_path), None
    except manifest.ManifestError as error:  # changed since the batch began: every row says so
        assignment, failed = None, Status.GRADER_ERROR.because(str(error))
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
                        yield Row(**{**row.__dict__, "seconds": time.monotonic() - grader.started})
                        continue
                if grader.process.sentinel in ready or not grader.process.is_alive():
                    stop(grader)
                    if grader.attempt == 1:
                        queue.insert(0, (entry, 2))
                    else:
                        died = Status.GRADER_ERROR.because("the grader process died")
                        yield Row(entry.student, 0, {}, died)
                elif time.monotonic() - grader.started >= timeout:
                    stop(grader)
                    yield timeout_row(entry.student, timeout)
    finally:
        # Idle graders end on their closed pipe, running their exit handlers (all at once);
        # a busy one, or one that does not end in time, is killed.
        idle = [g for g in graders if g.entry is None]
        for grader in idle:
            grader.connection.close()
        deadline = time.monotonic() + 10
        for grader in idle:
            grader.process.join(timeout=max(0.0, deadline - time.monotonic()))
        for grader in list(graders):
            stop(grader)


@dataclass(frozen=True)
class _Plan:
    """Who a batch grades now, and the gradebook's rows that stay as they are."""

    todo: list[Entry]
    kept: dict[str, list[str]]
    """The gradebook's rows read back (none for a fresh batch)."""
    done: set[str]
    """The students whose kept row is written again as it is."""


def _plan(
    entries: list[Entry],
    gradebook: Path,
    assignment: Assignment,
    *,
    resume: bool,
    only: tuple[str, ...] | list[str],
    questions: tuple[str, ...] | list[str],
) -> _Plan:
    """The batch's mode: a whole class; a resumed one (the students graded, or timed out, are
    kept); or a regrade in place of some students (``only``) or questions (``questions``).

    A book that is kept in part must have been graded under the manifest's points
    (``read_book`` refuses it otherwise, naming ``rnnlab regrade``): never two scales."""
    from autograder.lms import roster as people

    if not (only or questions or resume):
        return _Plan(list(entries), {}, set())
    book = read_book(gradebook, assignment, missing_ok=True)
    if only or questions:
        chosen = people.select(entries, only) if only else entries
        # merged only into results of this gradebook's grade (a timeout's may be older): a
        # student without any is graded whole
        merge = {r.student for r in book.rows if r.status in WITH_RESULTS}
        todo = [Entry(e.student, e.path, tuple(questions) * (e.student in merge)) for e in chosen]
        return _Plan(todo, book.written, set(book.written) - {e.student for e in chosen})
    done = {r.student for r in book.rows if r.status.startswith(FINAL_STATUSES)}
    todo = [e for e in entries if e.student not in done]
    return _Plan(todo, book.written, done)


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
    roster: Path | None = None,
    policy=None,
    only: tuple[str, ...] | list[str] = (),
    questions: tuple[str, ...] | list[str] = (),
    scheduler: str | None = None,
    tls: Path | None = None,
) -> list[Row]:
    """Grade every submission in ``folder`` into ``gradebook``; return the rows written now.

    ``assignment`` defaults to ``manifest.current()``. ``timeout`` is the most seconds
    one student may take (default: the most its question budgets allow, plus a
    margin). ``on_start(to_grade, skipped)`` is called once, ``on_row`` after every row.

    Rows carry who handed in and when (``autograder.lms.roster``): from ``roster`` (a CSV, or
    Gradescope metadata), else from ``folder``'s ``submission_metadata.yml``, which also
    names the rows. ``policy`` (a ``roster.LatePolicy``) gives each row its lateness and
    adjusted total; without one, a resumed or partial batch keeps the gradebook's own.
    ``only`` (students, by id or folder name) and ``questions`` (question ids) regrade a
    subset in place: every other row stays as it was, and a question's new results are
    merged into the student's results and row.

    ``scheduler`` (``tls://HOST:PORT``) grades on that Dask cluster's workers, each
    student in one task (``autograder.batch.cluster``); ``workers`` is then unused. ``tls``
    is the folder of the class's certificates (``rnnlab cluster init``): the client's are
    shown to the scheduler, and any other address scheme is refused. It is connected to
    before any file is written.
    """
    from autograder.grading.grade import worst_case_seconds
    from autograder.lms import roster as people
    from autograder.sandbox import describe_isolation

    identity = None
    if scheduler is not None:
        from autograder.batch import cluster as distributed

        identity = distributed.credentials(scheduler, tls)  # a tcp:// one: refused at once
    elif tls is not None:
        raise UsageError("argument --tls: only with --scheduler (they are a cluster's)")
    assignment = assignment or manifest.current()
    if scheduler is None:  # a cluster's workers are asked once connected
        requirements.check(assignment)
    for question in questions:
        assignment.question(question)  # an unknown id is refused, naming the known ones
    entries, identities = people.identify(folder, discover(folder), roster)
    plan = _plan(entries, gradebook, assignment, resume=resume, only=only, questions=questions)
    todo, kept, done = plan.todo, plan.kept, plan.done
    client = None
    if scheduler is not None and identity is not None:
        client = distributed.connect(scheduler, identity)  # refused: nothing is written
        distributed.check_requirements(client, assignment)
    if policy is None and (resume or only or questions):
        policy = people.remembered(gradebook)
    people.remember(gradebook, policy)
    paths = {e.student: e.path for e in entries}
    if on_start is not None:
        on_start(len(todo), len(entries) - len(todo))
    results_dir = gradebook.parent / "results"
    private_folder(results_dir)
    order = [e.student for e in entries] + [
        s for s in kept if s not in {e.student for e in entries}
    ]
    cells = {s: row for s, row in kept.items() if s in done}
    write_gradebook(gradebook, assignment, [cells[s] for s in order if s in cells])
    log = gradebook.with_name(gradebook.name + ".log")
    seconds = timeout or worst_case_seconds(assignment=assignment)
    if client is None:
        where = f"{workers} workers, timeout {seconds:g} s; {describe_isolation()}"
        source = _rows(todo, results_dir, workers, seconds, assignment.path)
    else:  # a cluster's sandboxes are its workers': each results file says how they ran
        where = f"{distributed.describe(client)}, timeout {seconds:g} s"
        source = distributed.rows(client, todo, results_dir, seconds, assignment)
    append_log(log, f"batch of {len(todo)} ({len(entries) - len(todo)} kept), {where}")
    rows = []
    with contextlib.closing(source):  # stopped (Ctrl-C): its graders or tasks go at once
        for row in source:
            row = people.stamp(row, identities.get(row.student), paths.get(row.student), policy)
            cells[row.student] = row_cells(row, assignment)
            write_gradebook(gradebook, assignment, [cells[s] for s in order if s in cells])
            append_log(
                log, f"{row.student}: {row.status} in {row.seconds:.1f} s, total {row.total:g}"
            )
            rows.append(row)
            if on_row is not None:
                on_row(row)
    return rows
