"""Hidden tests against wrong answers: does each end in a verdict, whatever comes back?

A hidden test must judge ANY answer. One that indexes a ``None``, or takes the
``len`` of an int, crashes: a grader error, and the student reads "not in your
code". ``fragile`` runs every hidden test with a stand-in for the submission
(``StandIn``: no sandbox, nothing of a student's runs) whose graded functions all
give one wrong answer, for each of ``WRONG_ANSWERS``, and lists each test that
ended in a grader error instead of a verdict.

The wrong answers are of two sorts. Fixed ones whatever the call: ``None``, an
exception, a string, NaN, empty containers, a value that is not plain data, and
odd values (an int too large to print, NaN and inf, a dict keyed by a tuple).
Derived ones start from the reference's answer to the same call and change its
shape, dtype or values: every number NaN, a row short, an axis more, ints as floats
and floats as ints, arrays as strings or lists, everything empty, a part missing
or more, parts reversed, every number plus one. They stand for answers a student
really gives, which a check meets most often.

The other questions' functions on the same module are the reference's, as in
grading. A profile helper's probes (``sub.probe``) report on the submission's
graph in the helper's own form: the stand-in's probes raise, as a graph that
cannot be built does, and a test that calls only probes runs once.
"""

import copy
import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograder.formats.manifest import Assignment
from autograder.grading.grade import reference, run_test, substitutes
from autograder.model.outcome import Outcome
from autograder.model.rubric import Question
from autograder.sandbox import student_error
from autograder.sandbox.inside.wire import Opaque


def _raise(kind: str) -> Callable[[Any], Any]:
    def answer(_: Any) -> Any:
        raise student_error({"type": kind, "bases": [kind], "message": "a wrong answer"})

    return answer


def _leaves(change: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An answer made by ``change`` applied to every array and number inside the answer."""

    def answer(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return type(value)(answer(v) for v in value)
        if isinstance(value, dict):
            return {k: answer(v) for k, v in value.items()}
        if isinstance(value, np.ndarray | int | float | np.number) and not isinstance(value, bool):
            return change(value)
        return value

    return answer


def _nan(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return np.full(value.shape, np.nan)
    return float("nan")


def _swap_dtype(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return np.nan_to_num(value).astype(np.int64)
        return value.astype(np.float64)
    if isinstance(value, float | np.floating):
        return int(value) if np.isfinite(value) else 0
    return float(value)


def _container(change: Callable[[list], list]) -> Callable[[Any], Any]:
    """An answer made by ``change`` applied to the answer's own items (a list or tuple)."""

    def answer(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return type(value)(change(list(value)))
        return value

    return answer


def _empty(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value[:0] if value.ndim else np.zeros(0)
    if isinstance(value, list | tuple | dict | str):
        return type(value)()
    return value


@dataclass(frozen=True)
class WrongAnswer:
    name: str
    make: Callable[[Any], Any]
    """The answer, from the reference's answer to the same call (``None`` when the
    reference raised); it may raise ``StudentError``, as a submission does."""
    derived: bool = False
    """Whether it reads the reference's answer (the reference runs on each call)."""


ODD = (10**5000, float("nan"), float("inf"), [float("nan")], {(1, 2): 3}, ())
"""Odd values in a tuple: an int too large to print, NaN, inf, a dict keyed by a tuple."""

WRONG_ANSWERS = (
    WrongAnswer("None", lambda _: None),
    WrongAnswer("raising RuntimeError", _raise("RuntimeError")),
    WrongAnswer("raising ValueError", _raise("ValueError")),
    WrongAnswer("a value that is not plain data", lambda _: Opaque("object")),
    WrongAnswer("a string", lambda _: "wrong"),
    WrongAnswer("0", lambda _: 0),
    WrongAnswer("NaN", lambda _: float("nan")),
    WrongAnswer("an empty list", lambda _: []),
    WrongAnswer("an empty dict", lambda _: {}),
    WrongAnswer("an empty array", lambda _: np.zeros(0)),
    WrongAnswer("a ragged list", lambda _: [[1], [2, 3]]),
    WrongAnswer("odd values (10**5000, nan, inf, [nan], {(1, 2): 3}, ())", lambda _: ODD),
    WrongAnswer("the answer with every number NaN", _leaves(_nan), True),
    WrongAnswer("the answer with every number plus one", _leaves(lambda v: v + 1), True),
    WrongAnswer("the answer with ints as floats and floats as ints", _leaves(_swap_dtype), True),
    WrongAnswer(
        "the answer with arrays a row short",
        _leaves(lambda v: v[:-1] if isinstance(v, np.ndarray) and v.ndim else v),
        True,
    ),
    WrongAnswer(
        "the answer with arrays an axis more",
        _leaves(lambda v: v[None] if isinstance(v, np.ndarray) else v),
        True,
    ),
    WrongAnswer(
        "the answer with arrays as strings",
        _leaves(lambda v: v.astype(str) if isinstance(v, np.ndarray) else v),
        True,
    ),
    WrongAnswer(
        "the answer with arrays as lists",
        _leaves(lambda v: v.tolist() if isinstance(v, np.ndarray) else v),
        True,
    ),
    WrongAnswer("the answer with everything empty", _leaves(_empty), True),
    WrongAnswer("the answer, empty", _empty, True),
    WrongAnswer("the answer with a part missing", _container(lambda v: v[:-1]), True),
    WrongAnswer("the answer with a part more", _container(lambda v: [*v, None]), True),
    WrongAnswer("the answer with its parts reversed", _container(lambda v: v[::-1]), True),
    WrongAnswer("the answer with each part None", _container(lambda v: [None] * len(v)), True),
)


class StandIn:
    """``sub`` for a hidden test: the question's functions all give ``wrong``; the other
    questions' functions on the module are the reference's; probes raise."""

    def __init__(self, assignment: Assignment, question: Question, wrong: WrongAnswer) -> None:
        self._assignment, self._question, self._wrong = assignment, question, wrong
        self._others = substitutes(assignment, question)
        self.recorded: tuple | None = None  # what grading's proxy keeps for public feedback
        self.asked = False
        """Whether a test called one of the question's functions (not only probes)."""

    def __getattr__(self, module: str) -> "_Functions":
        if module != self._question.module:
            raise AttributeError(module)
        return _Functions(self, module)

    @property
    def probe(self) -> "_Functions":
        return _Functions(self, "probe")

    def take_output(self) -> str:
        return ""

    def call(self, module: str, function: str, args: tuple, kwargs: dict) -> Any:
        if module == "probe":  # a graph that cannot be built, as the helper reports it
            raise student_error({"type": "ProbeError", "message": "a wrong answer"})
        self.asked = True
        right = None
        if self._wrong.derived:
            solution = getattr(getattr(reference(self._assignment), module), function)
            try:  # the arguments are the test's: a sandbox would have had copies
                right = solution(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            except Exception:  # noqa: BLE001 - a call the reference refuses: None, as is
                right = None
        return self._wrong.make(right)


class _Functions:
    def __init__(self, stand_in: StandIn, module: str) -> None:
        self._stand_in, self._module = stand_in, module

    def __getattr__(self, function: str) -> Callable:
        if function.startswith("_"):
            raise AttributeError(function)
        reference_function = self._stand_in._others.get((self._module, function))
        if reference_function is not None:
            return reference_function

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._stand_in.call(self._module, function, args, kwargs)

        call.__name__ = function
        return call


@dataclass
class Fragile:
    """A hidden test that crashed on a wrong answer: no verdict, a grader error."""

    question: str
    test: str
    answers: list[str]
    """The wrong answers it crashed on, the first first."""
    error: str
    """The first crash's ``Type: message`` (``TypeError: object of type 'int' has no len()``)."""
    where: str
    """The first crash's innermost line in the hidden tests (``question.py:47``), if any."""


SECONDS = 60.0
"""The longest one hidden test may take on one wrong answer: a check that loops on an answer
(``range(10**5000)``) would hold the grader, not only fail to judge."""


class TooLong(BaseException):
    """A hidden test ran past ``SECONDS`` on a wrong answer. A BaseException, so hypothesis
    does not catch it as the test's failure and run the case again."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop what runs inside after ``seconds`` with ``TooLong`` (in the main thread; a
    signal cannot reach another)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TooLong(f"more than {seconds:g} s on a wrong answer")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _crash(outcome: Outcome, tests: Path) -> tuple[str, str]:
    """The crash's ``Type: message`` line (hypothesis may add notes below it) and the
    innermost frame of the hidden tests in ``tests``, as ``file:line``."""
    lines = [line.strip() for line in (outcome.grader_error or "").splitlines()]
    named = re.search(r"\((\w+)\)\.$", outcome.output)
    kind = named.group(1) if named else "?"
    said = [line for line in lines if re.match(rf"([\w.]+\.)?{kind}(: |$)", line)]
    frames = [re.match(r'File "([^"]+)", line (\d+)', line) for line in lines]
    ours = [f"{Path(m[1]).name}:{m[2]}" for m in frames if m and Path(m[1]).is_relative_to(tests)]
    return (said[-1] if said else kind), (ours[-1] if ours else "")


def fragile(
    assignment: Assignment,
    questions: Iterable[Question] | None = None,
    answers: Iterable[WrongAnswer] = WRONG_ANSWERS,
    seconds: float = SECONDS,
) -> tuple[list[Fragile], int]:
    """The hidden tests of ``questions`` (default: all) that end in a grader error on one
    of ``answers`` (or run past ``seconds`` on one), and how many test runs that took. A
    stand-in answers; nothing runs in a sandbox, so this takes seconds, not a grading per
    answer."""
    answers = tuple(answers)
    found: dict[tuple[str, str], Fragile] = {}
    runs = 0
    for question in assignment.questions if questions is None else questions:
        for test in (t for t in question.tests if t.visibility == "hidden"):
            for wrong in answers:
                stand_in = StandIn(assignment, question, wrong)
                with _time_limit(seconds):
                    outcome = run_test(assignment, question, test, stand_in)  # type: ignore[arg-type]
                runs += 1
                if isinstance(outcome, Outcome) and outcome.grader_error is not None:
                    key = (question.id, test.id)
                    if key in found:
                        found[key].answers.append(wrong.name)
                    else:
                        error, where = _crash(outcome, assignment.hidden_tests)
                        found[key] = Fragile(question.id, test.id, [wrong.name], error, where)
                if not stand_in.asked:  # only probes: every other answer runs the same
                    break
    return list(found.values()), runs
