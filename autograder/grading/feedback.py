"""A failed test's feedback, worded alike on every path.

``rnnlab check``, ``rnnlab grade``, the notebook's ``grader.check`` and pytest in the kit
show one message for a failed public test: the call and what came back (or what it raised),
what the test said, and where the same clause is graded in hidden tests. The kit has no
rnnlab, so its ``tests/local.py`` words it too, the same way;
tests/lab/test_public_tests_warn.py compares the two on every buggy submission.
"""

import traceback
from pathlib import Path
from typing import Any

import numpy as np

from autograder.authoring import CheckFailure, describe_error
from autograder.grading.proxy import SubmissionProxy
from autograder.model.rubric import Question, Test, points_text
from autograder.sandbox import StudentError


class RecordingProxy(SubmissionProxy):
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


def public_feedback(
    question: Question, test: Test, student: RecordingProxy, said: str | None
) -> str:
    """The call and what came back (or what it raised), what the test said, and where the
    same clause is graded in hidden tests."""
    lines = [line for line in (_the_call(student), said) if line]
    return "\n".join(lines + _hidden_of(question, test))


def _the_call(student: RecordingProxy) -> str:
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
    hidden = [t for t in question.tests if test.id in t.public]
    if not hidden:
        return []
    named = "; ".join(f"see '{t.title}' ({points_text(t.points)})" for t in hidden)
    return [f"Hidden tests of the same clause, graded after you submit: {named}."]


def assertion(failure: AssertionError) -> str:
    """A failed plain assert as pytest rewrites it (``assert got == want``, with the test's
    own message above), or pytest.raises' complaint (a message that did not match)."""
    text = str(failure).strip()
    if text:
        return text
    frame = traceback.extract_tb(failure.__traceback__)[-1]
    return f"assertion failed: {(frame.line or '').strip()}"


def explain_crash(error: Exception, path: Path) -> str:
    """A public test broke on what came back (it was None, say): the line and the error."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if Path(f.filename) == path] or frames
    return (
        f"the test could not use what came back: {type(error).__name__}: {error}\n"
        f"at: {(ours[-1].line or '').strip()}"
    )


def see(question: Question, failure: CheckFailure) -> str:
    """Where to look when a test fails because of another test's clause."""
    other = next((t for t in question.tests if t.id == failure.see), None)
    return f"; see '{other.title}'" if other is not None else ""


def with_notes(message: str, error: BaseException) -> str:
    # Hypothesis notes the shrunk call as "Falsifying example"/"Failing test case";
    # the message already shows that input, in the assignment's own terms.
    notes = [
        n
        for n in getattr(error, "__notes__", [])
        if not n.startswith(("Falsifying", "Failing test case"))
    ]
    return "\n".join([message, *notes])
