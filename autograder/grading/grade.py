"""Grade a submission: its questions, test by test, in sandboxes, against the reference.

Data flows one way: the submission is unpacked (``submission``), each
question's tests run with the submission's code in a sandbox (``proxy``,
``sandbox``), and the outcomes become a ``Report`` (``results`` writes it).
What the questions are, and what they need, is the assignment's (``manifest``).
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
from functools import cache
from pathlib import Path
from types import ModuleType

from autograder.authoring import CheckFailure, describe_error
from autograder.formats import manifest
from autograder.formats.manifest import Assignment
from autograder.formats.results import printed_section
from autograder.grading.feedback import (
    RecordingProxy,
    assertion,
    explain_crash,
    public_feedback,
    see,
    with_notes,
)
from autograder.grading.proxy import Abort
from autograder.grading.public_tests import load_rewritten, pytest_verdict
from autograder.grading.submission import Submission, SubmissionError, prepare
from autograder.impl import fresh_name, load_file
from autograder.model.outcome import Outcome, Report
from autograder.model.rubric import Question, Test
from autograder.sandbox import (
    Limits,
    Sandbox,
    SandboxLost,
    SandboxSetupError,
    StudentError,
    container_room_mb,
    describe_isolation,
    memory_turn,
)

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
    if container_room_mb() is not None:  # a container may leave room for one question at once
        return sum(budget[q.profile] for q in questions) + MARGIN_SECONDS
    return max(sum(budget[q.profile] for q in lane) for lane in lanes) + MARGIN_SECONDS


GRADER_ERROR = (
    "grader error: this test could not be run because of a fault in the grader, not in "
    "your code. Please tell your instructor"
)


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
            with memory_turn(assignment.profile(question).memory_mb):  # its clock starts after
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
        others = substitutes(assignment, question)
    except Exception as error:  # noqa: BLE001 - the reference is the grader's
        return [_grader_error(question, t, error) for t in tests]

    def sandbox(folder: Path) -> Callable[[], Sandbox]:
        return _sandbox_factory(assignment, question, folder, hidden_paths, budget)

    clean = submission.folder.parent / "clean"  # where a helper probes: nothing of theirs
    clean.mkdir(exist_ok=True)
    functions = question.functions
    student = RecordingProxy(
        sandbox(submission.folder),
        question.module,
        deadline=time.monotonic() + budget[profile.name],
        preload=profile.preload,
        substitutes=others,
        make_clean_sandbox=sandbox(clean) if profile.clean else None,
        probe_label=f"{question.module}.{functions[0] if len(functions) == 1 else 'py'}",
    )
    # Visible tests run first and each test shows only what was printed during it, so
    # nothing a hidden test feeds the submission can surface in a visible test's feedback.
    outcomes: dict[str, Outcome] = {}
    try:
        for test in sorted(tests, key=lambda t: t.visibility != "public"):
            outcome = run_test(assignment, question, test, student)
            printed = printed_section(student.take_output())
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


def run_test(
    assignment: Assignment, question: Question, test: Test, student: "RecordingProxy"
) -> Outcome | Abort:
    """Run one test; an ``Abort`` that zeroes the question is returned, not raised.

    ``student`` is the submission's proxy, or a stand-in that answers like one (``rnnlab
    validate`` runs the hidden tests on wrong answers: ``mutate.wrong_answers``).

    Every way a test can end becomes a verdict on the submission or a grader
    error: nothing a check raises escapes, except the grader's own Ctrl-C. A
    public test's failure reads as it does in the kit (``tests/local.py``): the
    call and what came back, what the test expected, and the hidden tests of
    the same clause (``public_feedback``).
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
        message = with_notes(str(failure), failure) + see(question, failure)
        if public:
            message = public_feedback(question, test, student, message)
        return Outcome(question, test, False, message, mistake=failure.mistake)
    except AssertionError as failure:  # a public test's plain assert, or pytest.raises(match=)
        said = assertion(failure)
        return Outcome(question, test, False, public_feedback(question, test, student, said))
    except StudentError as error:
        if public:
            return Outcome(question, test, False, public_feedback(question, test, student, None))
        return Outcome(question, test, False, f"raised {describe_error(error)}")
    except (SandboxSetupError, SandboxLost) as error:  # not of the submission's making
        return _grader_error(question, test, error)
    except Exception as error:
        if public:  # a pytest test: as pytest has it, the test failed
            said = explain_crash(error, _public_path(assignment, question))
            return Outcome(question, test, False, public_feedback(question, test, student, said))
        return _grader_error(question, test, error)  # a hidden check must handle any answer
    except BaseException as error:  # noqa: BLE001 - sorted below
        verdict = pytest_verdict(error)
        if verdict is not None:
            return Outcome(question, test, False, public_feedback(question, test, student, verdict))
        return _grader_error(question, test, error)
    return Outcome(question, test, True, said if isinstance(said, str) else "")


def _grader_error(question: Question, test: Test, error: BaseException) -> Outcome:
    """A test with no verdict: the student sees that it is not their fault, the log sees why."""
    log = "".join(traceback.format_exception(error))
    return Outcome(question, test, False, f"{GRADER_ERROR} ({type(error).__name__}).", log)


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


def substitutes(assignment: Assignment, question: Question) -> dict[tuple[str, str], Callable]:
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


@cache
def hidden_tests_package(assignment: Assignment) -> str:
    """The hidden tests' folder as a package (its helpers import relatively); its name."""
    package = ModuleType(fresh_name("_rnnlab_hidden"))
    package.__path__ = [str(assignment.hidden_tests)]
    sys.modules[package.__name__] = package
    return package.__name__


def _test_function(assignment: Assignment, question: Question, test: Test) -> Callable:
    if test.visibility == "public":
        return getattr(_public_tests(assignment, question.module), f"test_{test.id}")
    module = importlib.import_module(f"{hidden_tests_package(assignment)}.{question.id}")
    return getattr(module, test.id)
