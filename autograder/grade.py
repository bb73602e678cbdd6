"""Grade a submission: its questions, test by test, in sandboxes, against the reference.

Data flows one way: the submission is unpacked (``submission``), each
question's tests run with the submission's code in a sandbox (``proxy``,
``sandbox``), and the outcomes become a ``Report`` (``results`` writes it).
What the questions are, and what they need, is the assignment's (``manifest``).
"""

import contextlib
import importlib
import importlib.util
import itertools
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType

from autograder import manifest
from autograder.authoring import CheckFailure, describe_error, show
from autograder.manifest import Assignment
from autograder.proxy import Abort, SubmissionProxy
from autograder.rubric import Question, Test
from autograder.sandbox import Limits, Sandbox, StudentError, describe_isolation
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
    with tempfile.TemporaryDirectory(prefix="rnnlab-submission-") as scratch:
        try:
            submission = prepare(Path(path), Path(scratch) / "submission", assignment.modules)
        except SubmissionError as error:
            outcomes = [
                Outcome(q, t, False, f"the submission could not be read: {error}")
                for q in questions
                for t in _tests(q, public_only)
            ]
            return Report(outcomes, time.monotonic() - started, notes + [str(error)])

        # The submission's own folder holds other students' work in a batch: hide it too.
        hidden = [*hidden_paths, Path(path).resolve().parent, *assignment.never_shipped()]

        def run(question: Question) -> list[Outcome]:
            outcomes = _grade_question(
                assignment, question, submission, public_only, hidden, budget
            )
            if progress is not None:
                progress(question)
            return outcomes

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
    return Report(outcomes, time.monotonic() - started, notes)


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
    limits = Limits(memory_mb=profile.memory_mb, cpu_seconds=int(budget[profile.name]) + 30)
    try:
        substitutes = _substitutes(assignment, question)
    except Exception as error:  # noqa: BLE001 - the reference is the grader's
        return [_grader_error(question, t, error) for t in tests]

    def sandbox(folder: Path) -> Callable[[], Sandbox]:
        return lambda: Sandbox(
            folder, hidden=hidden_paths, limits=limits, env=profile.env, helper=profile.helper
        )

    clean = submission.folder.parent / "clean"  # where a helper probes: nothing of theirs
    clean.mkdir(exist_ok=True)
    functions = question.functions
    student = SubmissionProxy(
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


def _printed(text: str) -> str:
    return f"\n--- what your code printed (the last of it) ---\n{text[-2000:]}" if text else ""


def _run_test(
    assignment: Assignment, question: Question, test: Test, student: SubmissionProxy
) -> Outcome | Abort:
    """Run one test; an ``Abort`` that zeroes the question is returned, not raised.

    Every way a test can end becomes a verdict on the submission or a grader
    error: nothing a check raises escapes, except the grader's own Ctrl-C.
    """
    student.last_call = None
    try:  # the test and the reference are the grader's: failing to load them is its fault
        check = _test_function(assignment, question, test)
        args = (student,) if test.visibility == "public" else (student, reference(assignment))
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
        return Outcome(
            question, test, False, _with_notes(str(failure), failure) + _see(question, failure)
        )
    except AssertionError as failure:  # a public test's plain assert
        return Outcome(question, test, False, _explain_assert(failure, student))
    except StudentError as error:
        return Outcome(question, test, False, f"raised {describe_error(error)}")
    except Exception as error:
        if test.visibility == "public":  # a pytest test: as pytest has it, the test failed
            return Outcome(question, test, False, _explain_crash(error) + _last_call(student))
        return _grader_error(question, test, error)  # a hidden check must handle any answer
    except BaseException as error:  # noqa: BLE001 - sorted below
        verdict = _pytest_verdict(error)
        if verdict is not None:
            return Outcome(question, test, False, verdict + _last_call(student))
        return _grader_error(question, test, error)
    return Outcome(question, test, True, said if isinstance(said, str) else "")


def _grader_error(question: Question, test: Test, error: BaseException) -> Outcome:
    """A test with no verdict: the student sees that it is not their fault, the log sees why."""
    log = "".join(traceback.format_exception(error))
    return Outcome(question, test, False, f"{GRADER_ERROR} ({type(error).__name__}).", log)


def _explain_crash(error: Exception) -> str:
    """A public test broke on what came back (it was None, say): the line and the error."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return (
        f"the test could not use what came back: {type(error).__name__}: {error}\n"
        f"at: {(frame.line or '').strip()}"
    )


def _pytest_verdict(error: BaseException) -> str | None:
    """pytest's ``Failed`` (``pytest.raises`` that saw no error, ``pytest.fail``) is a verdict.

    pytest raises it as a ``BaseException``; its skip and exit outcomes are not
    verdicts on the submission, so they stay grader errors.
    """
    failed = sys.modules.get("_pytest.outcomes")
    if failed is None or not isinstance(error, failed.Failed):
        return None
    message = str(error.msg or "")
    if message.startswith("DID NOT RAISE"):
        expected = message.removeprefix("DID NOT RAISE").strip()
        return f"expected an exception ({expected}), but none was raised"
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


def _explain_assert(failure: AssertionError, student: SubmissionProxy) -> str:
    """A plain ``assert`` failed in a public test: show the line and the last call's result."""
    frame = traceback.extract_tb(failure.__traceback__)[-1]
    message = str(failure) or f"assertion failed: {(frame.line or '').strip()}"
    return message + _last_call(student)


def _last_call(student: SubmissionProxy) -> str:
    if student.last_call is None:
        return ""
    label, args, kwargs, result = student.last_call
    shown = ", ".join(
        [show(a, 120) for a in args] + [f"{k}={show(v, 60)}" for k, v in kwargs.items()]
    )
    return f"\n{label}({shown}) returned {show(result)}"


class Reference:
    """``ref``: the reference's modules, each imported here on first use (it is trusted).

    A module the tests never touch (one that needs a library only its sandbox has)
    is never imported.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._prefix = f"_rnnlab_reference{next(_loads)}_"

    def __getattr__(self, module: str) -> ModuleType:
        if module.startswith("_"):
            raise AttributeError(module)
        loaded = _load_file(self._folder / f"{module}.py", self._prefix + module)
        setattr(self, module, loaded)
        return loaded


_loads = itertools.count()


@cache
def reference(assignment: Assignment) -> Reference:
    return Reference(assignment.reference)


def _load_file(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


def _substitutes(assignment: Assignment, question: Question) -> dict[tuple[str, str], Callable]:
    """The graded functions of the other questions on the same module: the reference's."""
    others = [
        q for q in assignment.questions if q.module == question.module and q.id != question.id
    ]
    if not others:
        return {}
    module = getattr(reference(assignment), question.module)
    return {(question.module, f): getattr(module, f) for q in others for f in q.functions}


@cache
def _public_tests(assignment: Assignment, module: str) -> ModuleType:
    path = assignment.public_tests / f"test_{module}.py"
    return _load_file(path, f"_rnnlab_public{next(_loads)}_{module}")


@cache
def _hidden_tests(assignment: Assignment) -> str:
    """The hidden tests' folder as a package (its helpers import relatively); its name."""
    package = ModuleType(f"_rnnlab_hidden{next(_loads)}")
    package.__path__ = [str(assignment.hidden_tests)]
    sys.modules[package.__name__] = package
    return package.__name__


def _test_function(assignment: Assignment, question: Question, test: Test) -> Callable:
    if test.visibility == "public":
        return getattr(_public_tests(assignment, question.module), f"test_{test.id}")
    module = importlib.import_module(f"{_hidden_tests(assignment)}.{question.id}")
    return getattr(module, test.id)
