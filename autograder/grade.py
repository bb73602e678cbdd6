"""Grade a submission: its questions, test by test, in sandboxes, against the reference.

Data flows one way: the submission is unpacked (``submission``), each
question's tests run with the submission's code in a sandbox (``checks``,
``sandbox``), and the outcomes become a ``Report`` (``results`` writes it).
"""

import contextlib
import importlib
import importlib.util
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType, SimpleNamespace

from autograder import ROOT
from autograder.checks import Abort, CheckFailure, Student, describe_error, show
from autograder.rubric import QUESTIONS, Question, Test
from autograder.sandbox import Limits, Sandbox, StudentError, describe_isolation
from autograder.submission import Submission, SubmissionError, prepare

PUBLIC_TESTS = ROOT / "assignment" / "tests"
SECONDS = {"numpy": 60.0, "tensorflow": 240.0}
"""Wall-clock budget of one question, by what it runs."""
MEMORY_MB = {"numpy": 2048, "tensorflow": 4096}
MARGIN_SECONDS = 60.0
"""Beyond the question budgets: start-up, the reference's own work, writing the results."""


def worst_case_seconds(
    questions: Iterable[Question] = QUESTIONS, seconds: dict[str, float] | None = None
) -> float:
    """The longest a whole grade can take: its two lanes' budgets, plus a margin.

    Callers that wait for a grade in another process (``grade-all``, the otter
    bridge) use it as their deadline, so a grader that hangs still ends.
    """
    budget = {**SECONDS, **(seconds or {})}
    questions = list(questions)
    heavy = sum(budget["tensorflow"] for q in questions if q.uses_tensorflow)
    light = sum(budget["numpy"] for q in questions if not q.uses_tensorflow)
    return max(heavy, light) + MARGIN_SECONDS


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
    questions: Iterable[Question] = QUESTIONS,
    public_only: bool = False,
    hidden_paths: Iterable[Path] = (),
    seconds: dict[str, float] | None = None,
    progress: Callable[[Question], None] | None = None,
) -> Report:
    """Grade the submission at ``path`` (a folder or a zip) on ``questions``.

    ``public_only`` runs only the public tests (``rnnlab check``).
    ``hidden_paths`` are more paths the submission must not see (where the
    results go, other submissions). ``progress`` is called as each question ends.
    """
    started = time.monotonic()
    questions = list(questions)
    budget = {**SECONDS, **(seconds or {})}
    notes = [describe_isolation()]
    with tempfile.TemporaryDirectory(prefix="rnnlab-submission-") as scratch:
        try:
            submission = prepare(Path(path), Path(scratch) / "submission")
        except SubmissionError as error:
            outcomes = [
                Outcome(q, t, False, f"the submission could not be read: {error}")
                for q in questions
                for t in _tests(q, public_only)
            ]
            return Report(outcomes, time.monotonic() - started, notes + [str(error)])

        # The submission's own folder holds other students' work in a batch: hide it too.
        hidden = [*hidden_paths, Path(path).resolve().parent]

        def run(question: Question) -> list[Outcome]:
            outcomes = _grade_question(question, submission, public_only, hidden, budget)
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
                    _check_function(question, test)
            if not public_only:
                reference()

        def lane(queue: list[Question]) -> dict[str, list[Outcome]]:
            return {q.id: run(q) for q in queue}

        # Two lanes on two cores: TensorFlow's question beside the numpy ones. Without
        # it, public tests (no hypothesis, which wants one thread) share the numpy ones.
        heavy = [q for q in questions if q.uses_tensorflow]
        light = [q for q in questions if not q.uses_tensorflow]
        queues = (heavy, light) if heavy or not public_only else (light[0::2], light[1::2])
        with ThreadPoolExecutor(max_workers=2) as pool:
            lanes = [pool.submit(lane, queue) for queue in queues]
            results = {qid: outcomes for f in lanes for qid, outcomes in f.result().items()}
    outcomes = [o for q in questions for o in results[q.id]]
    return Report(outcomes, time.monotonic() - started, notes)


def _tests(question: Question, public_only: bool) -> list[Test]:
    return [t for t in question.tests if t.visibility == "public" or not public_only]


def _grade_question(
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
    kind = "tensorflow" if question.uses_tensorflow else "numpy"
    limits = Limits(memory_mb=MEMORY_MB[kind], cpu_seconds=int(budget[kind]) + 30)
    try:
        substitutes = _substitutes(question)
    except Exception as error:  # noqa: BLE001 - the reference is the grader's
        return [_grader_error(question, t, error) for t in tests]
    clean = submission.folder.parent / "clean"  # where graphs are probed: nothing of theirs
    clean.mkdir(exist_ok=True)
    student = Student(
        lambda: Sandbox(submission.folder, hidden=hidden_paths, limits=limits),
        (question.module,),
        deadline=time.monotonic() + budget[kind],
        substitutes=substitutes,
        make_clean_sandbox=lambda: Sandbox(clean, hidden=hidden_paths, limits=limits),
    )
    # Visible tests run first and each test shows only what was printed during it, so
    # nothing a hidden test feeds the submission can surface in a visible test's feedback.
    outcomes: dict[str, Outcome] = {}
    try:
        for test in sorted(tests, key=lambda t: t.visibility != "public"):
            outcome = _run_test(question, test, student)
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


def _run_test(question: Question, test: Test, student: Student) -> Outcome | Abort:
    """Run one test; an ``Abort`` that zeroes the question is returned, not raised.

    Every way a test can end becomes a verdict on the submission or a grader
    error: nothing a check raises escapes, except the grader's own Ctrl-C.
    """
    student.last_call = None
    try:  # the test and the reference are the grader's: failing to load them is its fault
        check = _check_function(question, test)
        args = (student,) if test.visibility == "public" else (student, reference())
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


def _explain_assert(failure: AssertionError, student: Student) -> str:
    """A plain ``assert`` failed in a public test: show the line and the last call's result."""
    frame = traceback.extract_tb(failure.__traceback__)[-1]
    message = str(failure) or f"assertion failed: {(frame.line or '').strip()}"
    return message + _last_call(student)


def _last_call(student: Student) -> str:
    if student.last_call is None:
        return ""
    label, args, kwargs, result = student.last_call
    shown = ", ".join(
        [show(a, 120) for a in args] + [f"{k}={show(v, 60)}" for k, v in kwargs.items()]
    )
    return f"\n{label}({shown}) returned {show(result)}"


@cache
def reference() -> SimpleNamespace:
    """The reference's numpy modules, imported here (they are trusted; no TensorFlow)."""
    return SimpleNamespace(
        **{
            name: importlib.import_module(f"reference.{name}")
            for name in ("vocab", "labels", "padding", "splits", "rnn")
        }
    )


def _substitutes(question: Question) -> dict[tuple[str, str], Callable]:
    """The graded functions of the other questions on the same module: the reference's."""
    others = [q for q in QUESTIONS if q.module == question.module and q.id != question.id]
    if not others:
        return {}
    module = getattr(reference(), question.module)
    return {(question.module, f): getattr(module, f) for q in others for f in q.functions}


@cache
def _public_module(module: str) -> ModuleType:
    path = PUBLIC_TESTS / f"test_{module}.py"
    spec = importlib.util.spec_from_file_location(f"_rnnlab_public_{module}", path)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


def _check_function(question: Question, test: Test) -> Callable:
    if test.visibility == "public":
        return getattr(_public_module(question.module), f"test_{test.id}")
    return getattr(importlib.import_module(f"autograder.checks.{question.id}"), test.id)
