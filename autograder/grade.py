"""Grade a submission: its questions, test by test, in sandboxes, against the reference.

Data flows one way: the submission is unpacked (``submission``), each
question's tests run with the submission's code in a sandbox (``proxy``,
``sandbox``), and the outcomes become a ``Report`` (``results`` writes it).
What the questions are, and what they need, is the assignment's (``manifest``).
"""

import ast
import contextlib
import hashlib
import importlib
import importlib.util
import marshal
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import CodeType, MethodType, ModuleType
from typing import Any

import numpy as np

from autograder import manifest
from autograder.authoring import CheckFailure, describe_error
from autograder.files import write_atomic
from autograder.impl import fresh_name, load_file
from autograder.manifest import Assignment
from autograder.proxy import Abort, SubmissionProxy
from autograder.rubric import Question, Test
from autograder.sandbox import (
    Limits,
    Sandbox,
    SandboxSetupError,
    StudentError,
    describe_isolation,
)
from autograder.submission import Submission, SubmissionError, prepare

MARGIN_SECONDS = 60.0
"""Beyond the question budgets: start-up, the reference's own work, writing the results."""


def _budget(assignment: Assignment, seconds: dict[str, float] | None) -> dict[str, float]:
    """Seconds per profile: the manifest's, or ``seconds``'s where it names the profile."""
    return {name: p.seconds for name, p in assignment.profiles.items()} | (seconds or {})


def _lanes(
    assignment: Assignment, questions: list[Question], public_only: bool
) -> list[list[Question]]:
    """Two lanes for two cores: the slowest profile's questions beside the others.

    With one profile, public tests (no hypothesis, which wants one thread) share the
    questions between the lanes; hidden ones run in one.
    """
    slowest = max(assignment.profiles.values(), key=lambda p: p.seconds).name
    heavy = [q for q in questions if q.profile == slowest]
    light = [q for q in questions if q.profile != slowest]
    if heavy and light:
        return [heavy, light]
    alone = heavy or light
    return [alone[0::2], alone[1::2]] if public_only else [alone]


def worst_case_seconds(
    questions: Iterable[Question] | None = None,
    seconds: dict[str, float] | None = None,
    assignment: Assignment | None = None,
) -> float:
    """The longest a whole grade can take: its lanes' budgets, plus a margin.

    Callers that wait for a grade in another process (``grade-all``, the otter
    bridge) use it as their deadline, so a grader that hangs still ends.
    """
    assignment = assignment or manifest.current()
    questions = list(assignment.questions if questions is None else questions)
    budget = _budget(assignment, seconds)
    lanes = _lanes(assignment, questions, public_only=False)
    return max(sum(budget[q.profile] for q in lane) for lane in lanes) + MARGIN_SECONDS


GRADER_ERROR = (
    "grader error: this test could not be run because of a fault in the grader, not in "
    "your code. Please tell your instructor"
)


@dataclass
class Outcome:
    question: Question
    test: Test
    passed: bool
    output: str
    grader_error: str | None = None
    """The traceback of a fault in the grader (for the instructor's log); None for a verdict."""

    @property
    def score(self) -> float:
        return self.test.points if self.passed else 0.0

    @property
    def name(self) -> str:
        return f"{self.question.id}: {self.test.title}"


@dataclass
class Report:
    outcomes: list[Outcome]
    seconds: float
    notes: list[str] = field(default_factory=list)
    not_run: float = 0.0
    """The points of the hidden tests of the graded questions that did not run (``public_only``:
    ``rnnlab check``), which students earn only when they submit."""

    @property
    def score(self) -> float:
        return sum(o.score for o in self.outcomes)

    @property
    def max_score(self) -> float:
        return sum(o.test.points for o in self.outcomes)

    @property
    def grader_errors(self) -> list[Outcome]:
        """Tests that got no verdict because the grader failed: never the student's fault."""
        return [o for o in self.outcomes if o.grader_error is not None]

    def by_question(self) -> dict[str, list[Outcome]]:
        grouped: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            grouped.setdefault(outcome.question.id, []).append(outcome)
        return grouped


def grade(
    path: Path,
    *,
    assignment: Assignment | None = None,
    questions: Iterable[Question] | None = None,
    public_only: bool = False,
    hidden_paths: Iterable[Path] = (),
    seconds: dict[str, float] | None = None,
    progress: Callable[[Question], None] | None = None,
) -> Report:
    """Grade the submission at ``path`` (a folder or a zip) on ``questions``.

    ``assignment`` defaults to ``manifest.current()``, ``questions`` to all of its.
    ``public_only`` runs only the public tests (``rnnlab check``).
    ``hidden_paths`` are more paths the submission must not see (where the
    results go, other submissions). ``progress`` is called as each question ends.
    """
    started = time.monotonic()
    assignment = assignment or manifest.current()
    questions = list(assignment.questions if questions is None else questions)
    budget = _budget(assignment, seconds)
    notes = [describe_isolation()]
    not_run = sum(t.points for q in questions for t in q.tests if t not in _tests(q, public_only))
    with tempfile.TemporaryDirectory(prefix="rnnlab-submission-") as scratch:
        try:
            submission = prepare(Path(path), Path(scratch) / "submission", assignment.modules)
        except SubmissionError as error:
            outcomes = [
                Outcome(q, t, False, f"the submission could not be read: {error}")
                for q in questions
                for t in _tests(q, public_only)
            ]
            return Report(outcomes, time.monotonic() - started, notes + [str(error)], not_run)

        # The submission's own folder holds other students' work in a batch: hide it too.
        hidden = [*hidden_paths, Path(path).resolve().parent, *assignment.never_shipped()]

        def run(question: Question) -> list[Outcome]:
            outcomes = _grade_question(
                assignment, question, submission, public_only, hidden, budget
            )
            if progress is not None:
                progress(question)
            return outcomes

        prewarm(assignment, questions)  # if the caller did not already

        # Import every check module here, before the lanes start: two threads importing
        # pytest at once (a public test module, and hypothesis reaching for it) can each
        # find it half-initialized.
        # A failure here is the grader's: it comes back as each test's grader error.
        with contextlib.suppress(Exception):
            for question in questions:
                for test in _tests(question, public_only):
                    _test_function(assignment, question, test)

        def lane(queue: list[Question]) -> dict[str, list[Outcome]]:
            return {q.id: run(q) for q in queue}

        queues = _lanes(assignment, questions, public_only)
        with ThreadPoolExecutor(max_workers=2) as pool:
            lanes = [pool.submit(lane, queue) for queue in queues]
            results = {qid: outcomes for f in lanes for qid, outcomes in f.result().items()}
    outcomes = [o for q in questions for o in results[q.id]]
    return Report(outcomes, time.monotonic() - started, notes, not_run)


def _tests(question: Question, public_only: bool) -> list[Test]:
    return [t for t in question.tests if t.visibility == "public" or not public_only]


def _grade_question(
    assignment: Assignment,
    question: Question,
    submission: Submission,
    public_only: bool,
    hidden_paths: list[Path],
    budget: dict[str, float],
) -> list[Outcome]:
    tests = _tests(question, public_only)
    if question.module in submission.problems:
        reason = submission.problems[question.module]
        return [Outcome(question, t, False, f"{reason}: 0 points for {question.id}") for t in tests]
    profile = assignment.profile(question)
    try:
        substitutes = _substitutes(assignment, question)
    except Exception as error:  # noqa: BLE001 - the reference is the grader's
        return [_grader_error(question, t, error) for t in tests]

    def sandbox(folder: Path) -> Callable[[], Sandbox]:
        return _sandbox_factory(assignment, question, folder, hidden_paths, budget)

    clean = submission.folder.parent / "clean"  # where a helper probes: nothing of theirs
    clean.mkdir(exist_ok=True)
    functions = question.functions
    student = _RecordingProxy(
        sandbox(submission.folder),
        question.module,
        deadline=time.monotonic() + budget[profile.name],
        preload=profile.preload,
        substitutes=substitutes,
        make_clean_sandbox=sandbox(clean) if profile.clean else None,
        probe_label=f"{question.module}.{functions[0] if len(functions) == 1 else 'py'}",
    )
    # Visible tests run first and each test shows only what was printed during it, so
    # nothing a hidden test feeds the submission can surface in a visible test's feedback.
    outcomes: dict[str, Outcome] = {}
    try:
        for test in sorted(tests, key=lambda t: t.visibility != "public"):
            outcome = _run_test(assignment, question, test, student)
            printed = _printed(student.take_output())
            if isinstance(outcome, Abort):  # the contract's rule: not written or not importable
                said = f"{outcome}: 0 points for {question.id}"
                hidden_printing = test.visibility != "public"  # it stays with hidden tests
                return [
                    Outcome(
                        question,
                        t,
                        False,
                        said if hidden_printing and t.visibility == "public" else said + printed,
                    )
                    for t in tests
                ]
            if not outcome.passed:
                outcome.output += printed
            outcomes[test.id] = outcome
    finally:
        student.close()
    return [outcomes[t.id] for t in tests]


def prewarm(assignment: Assignment, questions: Iterable[Question]) -> None:
    """Start the zygote of each of ``questions``' profiles in the background, so that
    its libraries import while the grader imports and loads its own; ``grade`` waits
    for them. The CLI calls this before its own imports, ``grade`` again (at no cost)."""
    budget = _budget(assignment, None)
    for question in {assignment.profile(q).name: q for q in questions}.values():
        # The sandboxes' own factory: the zygote started is the one they will fork from.
        _sandbox_factory(assignment, question, assignment.folder, [], budget)().prewarm()


def _sandbox_factory(
    assignment: Assignment,
    question: Question,
    folder: Path,
    hidden_paths: list[Path],
    budget: dict[str, float],
) -> Callable[[], Sandbox]:
    """A new sandbox for ``question``'s profile, serving ``folder``."""
    profile = assignment.profile(question)
    limits = Limits(memory_mb=profile.memory_mb, cpu_seconds=int(budget[profile.name]) + 30)
    return lambda: Sandbox(
        folder,
        hidden=hidden_paths,
        limits=limits,
        env=profile.env,
        helper=profile.helper,
        preload=profile.preload,
    )


def _printed(text: str) -> str:
    return f"\n--- what your code printed (the last of it) ---\n{text[-2000:]}" if text else ""


def _run_test(
    assignment: Assignment, question: Question, test: Test, student: "_RecordingProxy"
) -> Outcome | Abort:
    """Run one test; an ``Abort`` that zeroes the question is returned, not raised.

    Every way a test can end becomes a verdict on the submission or a grader
    error: nothing a check raises escapes, except the grader's own Ctrl-C. A
    public test's failure reads as it does in the kit (``tests/local.py``): the
    call and what came back, what the test expected, and the hidden tests of
    the same clause (``_public_feedback``).
    """
    student.recorded = None
    public = test.visibility == "public"
    try:  # the test and the reference are the grader's: failing to load them is its fault
        check = _test_function(assignment, question, test)
        args = (student,) if public else (student, reference(assignment))
    except Exception as error:  # noqa: BLE001
        return _grader_error(question, test, error)
    try:
        said = check(*args)
    except KeyboardInterrupt:
        raise
    except Abort as abort:
        if abort.zero_question:
            return abort
        return Outcome(question, test, False, str(abort))
    except CheckFailure as failure:
        message = _with_notes(str(failure), failure) + _see(question, failure)
        if public:
            message = _public_feedback(question, test, student, message)
        return Outcome(question, test, False, message)
    except AssertionError as failure:  # a public test's plain assert, or pytest.raises(match=)
        said = _assertion(failure)
        return Outcome(question, test, False, _public_feedback(question, test, student, said))
    except StudentError as error:
        if public:
            return Outcome(question, test, False, _public_feedback(question, test, student, None))
        return Outcome(question, test, False, f"raised {describe_error(error)}")
    except SandboxSetupError as error:  # before any submission code ran: never theirs
        return _grader_error(question, test, error)
    except Exception as error:
        if public:  # a pytest test: as pytest has it, the test failed
            said = _explain_crash(error, _public_path(assignment, question))
            return Outcome(question, test, False, _public_feedback(question, test, student, said))
        return _grader_error(question, test, error)  # a hidden check must handle any answer
    except BaseException as error:  # noqa: BLE001 - sorted below
        verdict = _pytest_verdict(error)
        if verdict is not None:
            return Outcome(
                question, test, False, _public_feedback(question, test, student, verdict)
            )
        return _grader_error(question, test, error)
    return Outcome(question, test, True, said if isinstance(said, str) else "")


def _grader_error(question: Question, test: Test, error: BaseException) -> Outcome:
    """A test with no verdict: the student sees that it is not their fault, the log sees why."""
    log = "".join(traceback.format_exception(error))
    return Outcome(question, test, False, f"{GRADER_ERROR} ({type(error).__name__}).", log)


# -- a public test's feedback, as tests/local.py words it in the kit --------------------------
#
# ``rnnlab check``, ``rnnlab grade``, the notebook's ``grader.check`` and pytest in the kit
# show one message for a failed public test. The kit has no rnnlab, so ``tests/local.py``
# words it too, the same way; tests/test_coverage.py compares the two on every buggy
# submission.


class _RecordingProxy(SubmissionProxy):
    """The submission's proxy, also keeping the latest call a test asked for (``recorded``):
    its module, function and arguments, and what came back or the error it raised."""

    recorded: tuple | None = None

    def _call(self, module: str, function: str, args: tuple, kwargs: dict) -> Any:
        self.recorded = (module, function, args, kwargs, None, False)
        try:
            result = super()._call(module, function, args, kwargs)
        except StudentError as error:
            self.recorded = (module, function, args, kwargs, error, False)
            raise
        self.recorded = (module, function, args, kwargs, result, True)
        return result


def _public_feedback(
    question: Question, test: Test, student: _RecordingProxy, said: str | None
) -> str:
    """The call and what came back (or what it raised), what the test said, and where the
    same clause is graded in hidden tests."""
    lines = [line for line in (_the_call(student), said) if line]
    return "\n".join(lines + _hidden_of(question, test))


def _the_call(student: _RecordingProxy) -> str:
    if student.recorded is None:
        return ""
    module, function, args, kwargs, outcome, returned = student.recorded
    if module == "probe":  # a probe of the graph built from a configuration
        call = f"{student._probe_label}({_arguments((), dict(args[0]))})"
        if returned:
            return f"on the graph of {call}"
    else:
        call = f"{module}.{function}({_arguments(args, kwargs)})"
        if returned:
            return f"{call} returned {brief(outcome, 200)}"
    if not isinstance(outcome, StudentError):
        return ""
    if module == "probe" and outcome.is_a("ProbeError"):  # the probe's words on the graph
        return f"on the graph of {call}: {outcome.info.get('message', '')}"
    if module == "probe" and not outcome.info.get("frames"):  # running the graph, not building
        return f"on the graph of {call}: {outcome.type}: {outcome.info.get('message', '')}"
    return f"{call} raised {describe_error(outcome)}"


def _arguments(args: tuple, kwargs: dict) -> str:
    return ", ".join(
        [brief(a, 80) for a in args] + [f"{k}={brief(v, 60)}" for k, v in kwargs.items()]
    )


def brief(value: Any, limit: int = 100) -> str:
    """A value on one line, for a call and what came back: whole when short, else a summary
    (an array by its shape and dtype, a long list by its length). ``tests/local.py`` has
    the same, so the kit's feedback reads alike."""
    text = _one_line(value, limit)
    if text is not None and len(text) <= limit:
        return text
    if isinstance(value, list | tuple) and 0 < len(value) <= 8:
        inner = ", ".join(brief(v, max(30, limit // len(value))) for v in value)
        text = f"[{inner}]" if isinstance(value, list) else f"({inner}{',' * (len(value) == 1)})"
        if len(text) <= 2 * limit:
            return text
    return _summary(value, limit)


def _one_line(value: Any, limit: int) -> str | None:
    """``value`` in full on one line, or None when that is clearly longer than ``limit``."""
    if isinstance(value, np.ndarray):
        if value.size > limit or value.dtype.kind not in "biuf":
            return None
        body = np.array2string(value, separator=", ", max_line_width=10**9, threshold=10**9)
        return f"array({' '.join(body.split())})"  # rows on one line too
    if isinstance(value, np.generic):
        return _one_line(value.item(), limit)
    if isinstance(value, list | tuple | dict) and len(value) > limit:
        return None
    if isinstance(value, list | tuple):
        items = [_one_line(v, limit) for v in value]
        if None in items:
            return None
        inner = ", ".join(items) + ("," if isinstance(value, tuple) and len(value) == 1 else "")
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, dict):
        items = [(_one_line(k, limit), _one_line(v, limit)) for k, v in value.items()]
        if any(None in pair for pair in items):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, str) and len(value) > limit:
        return None
    try:
        return repr(value).replace("\n", " ")
    except ValueError:  # an int past Python's digit limit for str()
        return None


def _summary(value: Any, limit: int) -> str:
    if isinstance(value, np.ndarray):
        return f"<array of shape {value.shape}, {value.dtype}>"
    if isinstance(value, list | tuple | dict):
        return f"<{type(value).__name__} of {len(value)} items>"
    if isinstance(value, str):
        return repr(value[:limit]) + "..."
    if isinstance(value, int):
        return f"<int of {value.bit_length()} bits>"
    return f"<{type(value).__name__}>"


def _hidden_of(question: Question, test: Test) -> list[str]:
    """The hidden tests that name ``test`` as their clause's public test (``public``)."""
    hidden = [t for t in question.tests if test.id in getattr(t, "public", ())]
    if not hidden:
        return []
    named = "; ".join(f"see '{t.title}' ({_points(t.points)})" for t in hidden)
    return [f"Hidden tests of the same clause, graded after you submit: {named}."]


def _points(points: float) -> str:
    return f"{points:g} point{'' if points == 1 else 's'}"


def _assertion(failure: AssertionError) -> str:
    """A failed plain assert as pytest rewrites it (``assert got == want``, with the test's
    own message above), or pytest.raises' complaint (a message that did not match)."""
    text = str(failure).strip()
    if text:
        return text
    frame = traceback.extract_tb(failure.__traceback__)[-1]
    return f"assertion failed: {(frame.line or '').strip()}"


def _explain_crash(error: Exception, path: Path) -> str:
    """A public test broke on what came back (it was None, say): the line and the error."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if Path(f.filename) == path] or frames
    return (
        f"the test could not use what came back: {type(error).__name__}: {error}\n"
        f"at: {(ours[-1].line or '').strip()}"
    )


def _pytest_verdict(error: BaseException) -> str | None:
    """pytest's ``Failed`` (``pytest.raises`` that saw no error, ``pytest.fail``) is a verdict.

    pytest raises it as a ``BaseException``; its skip and exit outcomes are not
    verdicts on the submission, so they stay grader errors.
    """
    failed = sys.modules.get("_pytest.outcomes")
    if failed is None or not isinstance(error, failed.Failed):
        return None
    return _failed_text(str(error.msg or ""))


def _failed_text(message: str) -> str:
    """pytest's ``Failed`` message in the kit's words: "DID NOT RAISE <class 'ValueError'>"
    becomes "DID NOT RAISE: expected ValueError, but none was raised"."""
    if message.startswith("DID NOT RAISE"):
        expected = message.removeprefix("DID NOT RAISE").strip()
        expected = re.sub(r"<class '(?:builtins\.)?([\w.]+)'>", r"\1", expected)
        return f"DID NOT RAISE: expected {expected}, but none was raised"
    return message or "the test failed"


def _see(question: Question, failure: CheckFailure) -> str:
    """Where to look when a test fails because of another test's clause."""
    other = next((t for t in question.tests if t.id == failure.see), None)
    return f"; see '{other.title}'" if other is not None else ""


def _with_notes(message: str, error: BaseException) -> str:
    # Hypothesis notes the shrunk call as "Falsifying example"/"Failing test case";
    # the message already shows that input, in the assignment's own terms.
    notes = [
        n
        for n in getattr(error, "__notes__", [])
        if not n.startswith(("Falsifying", "Failing test case"))
    ]
    return "\n".join([message, *notes])


class Reference:
    """``ref``: the reference's modules, each imported here on first use (it is trusted).

    A module the tests never touch (one that needs a library only its sandbox has)
    is never imported.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._prefix = fresh_name("_rnnlab_reference") + "_"

    def __getattr__(self, module: str) -> ModuleType:
        if module.startswith("_"):
            raise AttributeError(module)
        loaded = load_file(self._folder / f"{module}.py", self._prefix + module)
        setattr(self, module, loaded)
        return loaded


@cache
def reference(assignment: Assignment) -> Reference:
    return Reference(assignment.reference)


def _substitutes(assignment: Assignment, question: Question) -> dict[tuple[str, str], Callable]:
    """The graded functions of the other questions on the same module: the reference's."""
    others = [
        q for q in assignment.questions if q.module == question.module and q.id != question.id
    ]
    if not others:
        return {}
    module = getattr(reference(assignment), question.module)
    return {(question.module, f): getattr(module, f) for q in others for f in q.functions}


def _public_path(assignment: Assignment, question: Question) -> Path:
    return assignment.public_tests / f"test_{question.module}.py"


@cache
def _public_tests(assignment: Assignment, module: str) -> ModuleType:
    path = assignment.public_tests / f"test_{module}.py"
    return load_rewritten(path, fresh_name("_rnnlab_public") + f"_{module}")


def load_rewritten(path: Path, name: str) -> ModuleType:
    """Import a public test module with its asserts rewritten as pytest rewrites them, so a
    failed ``assert got == want`` says what ``got`` and ``want`` were.

    The rewritten asserts call ``ASSERTS``, not pytest's module, whose messages depend on
    the pytest session running (if any): so a message is the same in ``rnnlab check``, in
    ``rnnlab grade`` under pytest or not, and in the kit (``tests/local.py`` does the same).
    """
    code = _rewritten_code(path)
    loaded = ModuleType(name)
    loaded.__file__ = str(path)
    loaded.__dict__[_HELPERS] = ASSERTS
    sys.modules[name] = loaded
    exec(code, loaded.__dict__)  # the assignment's own public tests: trusted
    return loaded


def _rewritten_code(path: Path) -> CodeType:
    """The module's code with its asserts rewritten, kept beside it in ``__pycache__`` as
    pytest keeps its own (rewriting cost more than the numpy checks' sandboxes), for
    this source at this path, this pytest, this Python and this engine file."""
    import _pytest

    source = path.read_bytes()
    engine = os.stat(__file__).st_mtime_ns  # how this module rewrites may change too
    tag = f"{path.resolve()}\0{_pytest.__version__}\0{sys.version}\0{engine}\0".encode()
    key = hashlib.sha256(tag + source).hexdigest().encode()
    cached = path.parent / "__pycache__" / f"{path.stem}.rnnlab-asserts.pyc"
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        data = cached.read_bytes()
        if data[: len(key)] == key:
            return marshal.loads(data[len(key) :])
    from _pytest.assertion.rewrite import rewrite_asserts

    tree = ast.parse(source, str(path))
    rewrite_asserts(tree, source, str(path), None)
    tree.body = [node for node in tree.body if not _imports_pytest_helpers(node)]
    code = compile(tree, str(path), "exec", dont_inherit=True)
    with contextlib.suppress(OSError):  # a read-only install: rewrite every time
        # whole or not at all, for a grader beside this one
        write_atomic(cached, key + marshal.dumps(code))
    return code


_HELPERS = "@pytest_ar"
"""The name rewritten asserts call pytest's helpers by."""


def _imports_pytest_helpers(node: ast.stmt) -> bool:
    return isinstance(node, ast.Import) and any(a.asname == _HELPERS for a in node.names)


def saferepr(value: object) -> str:
    """pytest's rendering of a value in an assertion (at its default verbosity)."""
    from _pytest._io.saferepr import DEFAULT_REPR_MAX_SIZE
    from _pytest._io.saferepr import saferepr as pytest_saferepr

    return pytest_saferepr(value, maxsize=DEFAULT_REPR_MAX_SIZE).replace("\n", "\\n")


def compare(op: str, left: object, right: object) -> str:
    """How a failed comparison reads: ``<left> == <right>``, each value as pytest shows it
    (``tests/local.py``'s ``compare`` reads the same, and the kit's pytest uses that)."""
    return f"{saferepr(left)} {op} {saferepr(right)}"


class _Asserts:
    """pytest's assertion helpers, but for the two that read the running pytest session:
    values are shown as at pytest's default verbosity, and comparisons by ``compare``."""

    def __getattr__(self, name: str) -> Any:
        from _pytest.assertion import rewrite

        return getattr(rewrite, name)

    @staticmethod
    def _saferepr(value: object) -> str:
        return value.__name__ if isinstance(value, MethodType) else saferepr(value)

    @staticmethod
    def _call_reprcompare(ops, results, expls, each_obj) -> str:
        # the first comparison of a chain that failed, as pytest picks it
        i = next((i for i, result in enumerate(results) if _failed(result)), len(ops) - 1)
        # the explanation is a format string (its values are interpolated later): escape %
        return compare(ops[i], each_obj[i], each_obj[i + 1]).replace("%", "%%")


def _failed(result: object) -> bool:
    try:
        return not result
    except Exception:  # noqa: BLE001 - an object whose truth cannot be told
        return True


ASSERTS = _Asserts()


@cache
def _hidden_tests(assignment: Assignment) -> str:
    """The hidden tests' folder as a package (its helpers import relatively); its name."""
    package = ModuleType(fresh_name("_rnnlab_hidden"))
    package.__path__ = [str(assignment.hidden_tests)]
    sys.modules[package.__name__] = package
    return package.__name__


def _test_function(assignment: Assignment, question: Question, test: Test) -> Callable:
    if test.visibility == "public":
        return getattr(_public_tests(assignment, question.module), f"test_{test.id}")
    module = importlib.import_module(f"{_hidden_tests(assignment)}.{question.id}")
    return getattr(module, test.id)
