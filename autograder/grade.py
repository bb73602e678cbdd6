"""Grade a submission: its questions, test by test, in sandboxes, against the reference.

Data flows one way: the submission is unpacked (``submission``), each
question's tests run with the submission's code in a sandbox (``checks``,
``sandbox``), and the outcomes become a ``Report`` (``results`` writes it).
"""

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


@dataclass
class Outcome:
    question: Question
    test: Test
    passed: bool
    output: str

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
    student = Student(
        lambda: Sandbox(submission.folder, hidden=hidden_paths, limits=limits),
        (question.module,),
        deadline=time.monotonic() + budget[kind],
        substitutes=_substitutes(question),
    )
    outcomes: list[Outcome] = []
    try:
        for test in tests:
            passed, output, zero = _run_test(question, test, student)
            if zero:  # the contract's rule: not written or not importable scores 0
                return [
                    Outcome(question, t, False, f"{output}: 0 points for {question.id}")
                    for t in tests
                ]
            outcomes.append(Outcome(question, test, passed, output))
    finally:
        student.close()
    if student.output:
        printed = student.output[-2000:]
        for outcome in outcomes:
            if not outcome.passed:
                outcome.output += f"\n--- what your code printed (the last of it) ---\n{printed}"
                break
    return outcomes


def _run_test(question: Question, test: Test, student: Student) -> tuple[bool, str, bool]:
    """Run one test; ``(passed, output, zero_question)``."""
    check = _check_function(question, test)
    student.calls.clear()
    try:
        said = check(student) if test.visibility == "public" else check(student, reference())
    except Abort as abort:
        return False, str(abort), abort.zero_question
    except CheckFailure as failure:
        return False, _with_notes(str(failure), failure), False
    except AssertionError as failure:  # a public test's plain assert
        return False, _explain_assert(failure, student), False
    except StudentError as error:
        return False, f"raised {describe_error(error)}", False
    except Exception as error:  # noqa: BLE001 - what came back broke the test itself
        return (
            False,
            f"the test could not use what came back ({type(error).__name__}: "
            f"{error}){_last_call(student)}",
            False,
        )
    return True, said if isinstance(said, str) else "", False


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
    if not student.calls:
        return ""
    label, args, kwargs, result = student.calls[-1]
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
