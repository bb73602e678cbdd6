"""Grade a class on a Dask distributed cluster: ``rnnlab grade-all --scheduler ADDRESS``.

Each student is one Dask task, graded on a worker by ``student.grade_one`` in that
worker's own sandboxes. The submission travels in the task: the instructor's
machine (the client) reads it with the engine's own reader
(``submission.read_files``: links never followed, sizes bounded) and sends its
Python files; the worker writes them into a temporary folder and grades that. So
the submissions need no shared file system, but the assignment does: its
manifest must be readable on every worker at the same path (as on SLURM), or the
task returns a ``grader-error`` row naming the path. A task returns plain data
(``Returned``: the row, the results' text, the grader-error log), and the client
writes ``results/`` and the gradebook as tasks finish. A submission refused as a
whole (a broken zip, too many files) runs no code: the client records it itself.

A student gets two attempts: a task whose worker dies is rescheduled by Dask,
and a third start is cancelled with a ``grader-error`` row, whatever the
scheduler's ``allowed-failures`` (a task that raises is retried once too). The
timeout counts from when a worker starts the student (each task says so on an
event topic); a student not done by then gets a ``timeout`` row and the batch
goes on. A cancelled task that is already running finishes on its worker (a
thread cannot be killed) within its sandboxes' own budgets. On Ctrl-C the
client cancels what is left and leaves.

The cluster is reached over TLS only, each end showing a certificate of the class's CA
(``certificates``: ``rnnlab cluster init``): whoever reaches a Dask scheduler runs code in
its workers, and a submission on a worker can reach it (issue 20). A ``tcp://`` address is
refused before anything is imported or written.

dask's ``distributed`` is an optional extra, imported only when a cluster is used.
"""

import atexit
import contextlib
import functools
import os
import queue
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.batch import certificates
from autograder.batch.student import grade_one, timeout_row
from autograder.errors import UsageError
from autograder.formats import manifest, results
from autograder.formats.classroom import Entry
from autograder.formats.gradebook import grader_log_file, results_file
from autograder.formats.manifest import Assignment
from autograder.grading import requirements
from autograder.grading.submission import SubmissionError, read_files
from autograder.model.row import Row, Status

if TYPE_CHECKING:
    from distributed import Client, Future

INSTALL = "pip install 'rnnlab[dask]'"
ATTEMPTS = 2
"""A student's task may start this many times (a dead worker's is started again)."""
POLL = 0.1
"""Seconds between looks at the tasks' starts and timeouts while none finishes."""


@dataclass(frozen=True)
class Parcel:
    """One student's task: all a worker needs of the client's files to grade them."""

    student: str
    questions: tuple[str, ...]
    files: dict[str, bytes]
    """The Python files of the submission's folder, by file name."""
    unreadable: tuple[str, ...]
    """Graded modules there that were not regular files (or could not be read)."""
    results: str | None
    """Their results.json, when some questions are regraded into it."""
    log: str | None
    """Their grader-error log, if any: ``grade_one`` keeps or rewrites it."""

    @classmethod
    def pack(cls, entry: Entry, results_dir: Path, modules: tuple[str, ...]) -> "Parcel":
        """Read ``entry``'s submission; raises ``SubmissionError`` if it is refused whole."""
        files, problems = read_files(entry.path, modules)
        output = results_file(results_dir, entry.student)
        merged = _text(output) if entry.questions else None
        log = _text(grader_log_file(output))
        return cls(entry.student, entry.questions, files, tuple(problems), merged, log)

    def unpack(self, folder: Path, results_dir: Path) -> None:
        """Lay the submission out in ``folder`` (and any results in ``results_dir``) so that
        ``submission.prepare`` reads there what it read on the client."""
        for name, data in self.files.items():  # importable basenames: see read_files
            (folder / name).write_bytes(data)
        for module in self.unreadable:  # a dangling link: "not a regular file" here too
            (folder / f"{module}.py").symlink_to(f"{module}.py.unreadable")
        output = results_file(results_dir, self.student)
        for text, path in ((self.results, output), (self.log, grader_log_file(output))):
            if text is not None:
                path.write_text(text)


@dataclass(frozen=True)
class Returned:
    """What a task sends back: plain data, written to ``results/`` by the client."""

    row: Row
    results: str | None
    """The student's results.json (None: ``grade_one`` wrote none)."""
    log: str | None
    """Their grader-error log (None: there is none now)."""


def grade_parcel(parcel: Parcel, manifest_path: str, topic: str) -> Returned:
    """A Dask task: grade one student on this worker, in a temporary folder.

    Announces its start on ``topic`` (the client's timeout counts from it). A
    grader's fault, an unreadable assignment included, is the row's status.
    """
    from distributed import get_worker

    worker = get_worker()
    worker.log_event(topic, worker.get_current_task())
    started = time.monotonic()
    if not os.access(manifest_path, os.R_OK):
        where = f"the Dask worker {worker.address}"
        return _failed(parcel.student, f"the assignment {manifest_path} is not readable on {where}")
    try:
        assignment = manifest.load(Path(manifest_path))
        requirements.check(assignment, where=f"the Dask worker {worker.address}")
    except (manifest.ManifestError, requirements.RequirementsError) as error:
        return _failed(parcel.student, str(error))
    folder = Path(tempfile.mkdtemp(prefix="submission-", dir=_scratch()))
    results_dir = Path(tempfile.mkdtemp(prefix="results-", dir=_scratch()))
    try:
        parcel.unpack(folder, results_dir)
        entry = Entry(parcel.student, folder, parcel.questions)
        row = grade_one(entry, results_dir, assignment)
        output = results_file(results_dir, parcel.student)
        seconds = time.monotonic() - started
        return Returned(
            replace(row, seconds=seconds), _text(output), _text(grader_log_file(output))
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(results_dir, ignore_errors=True)


@functools.cache
def _scratch() -> Path:
    """This worker's folder for the students it grades: grade() hides a submission's
    parent from its sandboxes, so none sees another's (as with a local batch's class)."""
    folder = Path(tempfile.mkdtemp(prefix="rnnlab-dask-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def credentials(address: str, tls: Path | None) -> certificates.Identity:
    """The client's certificates for the scheduler at ``address``: ``UsageError`` unless it
    is a ``tls://`` address and ``tls`` (a folder ``cluster init`` wrote) holds them."""
    scheme = address.split("://", 1)[0] if "://" in address else "tcp"  # Dask's default
    if scheme != "tls":
        raise UsageError(
            f"argument --scheduler: {address} is not a tls:// address: whoever reaches a plain "
            "Dask scheduler runs code on its workers, so the cluster speaks TLS with the "
            "class's certificates only: run `rnnlab cluster init FOLDER`, start the scheduler "
            "and workers as it says, then grade with --scheduler tls://HOST:PORT --tls FOLDER"
        )
    if tls is None:
        raise UsageError(
            f"argument --tls: missing: the scheduler at {address} needs the class's client "
            "certificate: --tls FOLDER, the folder `rnnlab cluster init FOLDER` wrote"
        )
    return certificates.client(tls)


def connect(address: str, identity: certificates.Identity) -> "Client":
    """A client of the Dask scheduler at ``address`` (``tls://``), showing ``identity``'s
    certificate and trusting its CA alone; ``UsageError`` if dask is missing or no scheduler
    of that CA answers there."""
    try:
        from distributed import Client
        from distributed.comm import get_address_host_port
        from distributed.security import Security
    except ImportError:
        raise UsageError(
            f"--scheduler grades on a Dask cluster, which needs dask's distributed: {INSTALL}"
        ) from None
    try:
        get_address_host_port(address)  # first: a client half made of a bad one hangs on exit
        security = Security(
            require_encryption=True,
            tls_ca_file=str(identity.ca),
            tls_client_cert=str(identity.cert),
            tls_client_key=str(identity.key),
        )
        return Client(address, security=security, set_as_default=False)
    except (OSError, ValueError) as error:  # ssl.SSLError too: a key that is not one
        raise UsageError(f"cannot connect to a Dask scheduler at {address}: {error}") from None


def check_requirements(client: "Client", assignment: Assignment) -> None:
    """``RequirementsError`` if a worker of the cluster lacks some of the assignment's
    requirements, before anything is graded (a worker that joins later is asked by its
    first task: its students get grader-error rows that say what it lacks). The client is
    closed when it raises."""
    lacking = client.run(requirements.missing, list(assignment.requirements))
    short = sorted((worker, what) for worker, what in lacking.items() if what)
    if short:
        client.close()  # nothing will be graded on it
        worker, what = short[0]
        others = f" (and {len(short) - 1} more of the {len(lacking)} workers)" * (len(short) > 1)
        raise requirements.refusal(assignment, f"the Dask worker {worker}{others}", what)


def describe(client: "Client") -> str:
    """Where a batch runs, for its log: the scheduler and its workers now."""
    threads = client.nthreads()
    return (
        f"Dask scheduler {client.scheduler.address} ({len(threads)} workers, "
        f"{sum(threads.values())} threads now)"
    )


@dataclass
class _Task:
    entry: Entry
    future: "Future"
    starts: int = 0
    started: float | None = None


def rows(
    client: "Client",
    todo: list[Entry],
    results_dir: Path,
    timeout: float,
    assignment: Assignment,
) -> Iterator[Row]:
    """Grade ``todo`` on ``client``'s cluster, one task per student; yield each row as it is
    ready, its results written. The client is closed at the end (or on Ctrl-C)."""
    from distributed import as_completed

    topic = f"rnnlab-started-{uuid.uuid4().hex}"
    starts: queue.SimpleQueue[tuple[str, float]] = queue.SimpleQueue()
    tasks: dict[str, _Task] = {}
    try:
        client.subscribe_topic(topic, lambda event: starts.put((event[1], time.monotonic())))
        for entry in todo:
            try:
                parcel = Parcel.pack(entry, results_dir, assignment.modules)
            except SubmissionError:  # refused whole: its grade runs no code, so it is made here
                started = time.monotonic()
                row = grade_one(entry, results_dir, assignment)
                yield replace(row, seconds=time.monotonic() - started)
                continue
            future = client.submit(
                grade_parcel,
                parcel,
                str(assignment.path),
                topic,
                key=f"rnnlab-{entry.student}-{topic[-8:]}",
                retries=1,
            )
            tasks[future.key] = _Task(entry, future)
        finished = as_completed([task.future for task in tasks.values()], loop=client.loop)
        while tasks:
            while not starts.empty():
                key, when = starts.get()
                if key in tasks:
                    tasks[key].starts += 1
                    tasks[key].started = when
            for future in finished.next_batch(block=False):
                task = tasks.pop(future.key, None)
                if task is not None:  # else: timed out or given up on already
                    yield _finished(task, results_dir)
            now = time.monotonic()
            for key, task in list(tasks.items()):
                if task.starts > ATTEMPTS:
                    del tasks[key]
                    task.future.cancel()
                    why = Status.GRADER_ERROR.because(
                        f"its Dask worker died (tried {ATTEMPTS} times)"
                    )
                    yield Row(task.entry.student, 0, {}, why)
                elif task.started is not None and now - task.started >= timeout:
                    del tasks[key]
                    task.future.cancel()
                    yield timeout_row(task.entry.student, timeout)
            if tasks and not finished.has_ready():
                time.sleep(POLL)
    finally:
        try:  # a lost scheduler cannot be told: closing is what matters
            with contextlib.suppress(Exception):
                client.cancel([task.future for task in tasks.values()])
                client.unsubscribe_topic(topic)
        finally:
            client.close()


def _finished(task: _Task, results_dir: Path) -> Row:
    """The row of a task that ended, its results written (any failure: a grader error)."""
    student, future = task.entry.student, task.future
    if future.status == "cancelled":
        cancelled = "its Dask task was cancelled (scheduler lost?)"
        return Row(student, 0, {}, Status.GRADER_ERROR.because(cancelled))
    output = results_file(results_dir, student)
    try:
        graded = future.result()
        if graded.results is not None:
            results.write_text(graded.results, output)
        if graded.log is not None:
            results.write_text(graded.log, grader_log_file(output))
        else:
            grader_log_file(output).unlink(missing_ok=True)
    except Exception as error:  # noqa: BLE001 - a killed worker, results not written: this row's
        why = f"{type(error).__name__}: {error}"
        return Row(student, 0, {}, Status.GRADER_ERROR.because(why))
    return graded.row


def _failed(student: str, why: str) -> Returned:
    return Returned(Row(student, 0, {}, Status.GRADER_ERROR.because(why)), None, None)


def _text(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None
