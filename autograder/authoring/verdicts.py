"""A check's verdict: ``CheckFailure``, and the checks that raise it with the mistake named."""

from collections.abc import Callable
from typing import Any

from autograder.authoring.compare import difference, known_mistake, partly_explained, show
from autograder.model.mistakes import GIVES, PART_GIVES
from autograder.sandbox import StudentError


class CheckFailure(AssertionError):
    """A check's verdict against the submission, with the feedback to show.

    ``see`` names the test (by id, in the same question) of the clause that
    really failed, when this test fails only because of it: the feedback then
    points there instead of blaming this test's own clause. ``mistake`` is the
    known mistake the message names, if any: a hidden test's line shown before
    the due date names it too, as it reveals no case (so it holds no value of one).
    """

    def __init__(self, message: str, *, see: str | None = None, mistake: str | None = None) -> None:
        super().__init__(message)
        self.see = see
        self.mistake = mistake


def expect(
    got: Any, expected: Any, what: str, *, mistakes: dict[str, Any] | None = None, **tolerances
) -> None:
    """Fail with ``what``, the difference, and the known mistakes that explain it: the one
    that gives exactly this answer, else each that gives a part of it (``mistakes``: its
    name -> the answer it gives; a name holds no value of the case)."""
    reason = difference(got, expected, **tolerances)
    if reason is None:
        return
    message = f"{what}: {reason}"
    name = known_mistake(got, mistakes or {}, **tolerances)
    if name:
        message += ". " + GIVES.format(name)
        raise CheckFailure(message, mistake=name)
    partly = partly_explained(got, expected, mistakes or {}, **tolerances)
    message += "".join(". " + PART_GIVES.format(name) for name in partly)
    raise CheckFailure(message, mistake=" and ".join(partly) or None)


def describe_error(error: StudentError) -> str:
    frames = error.info.get("frames") or []
    where = f" (at {frames[-1]})" if frames else ""
    return f"{error.type}: {error.info.get('message', '')}{where}"


def expect_raises(name: str, call: Callable[[], Any], what: str) -> StudentError:
    """``call()`` must raise ``name`` (or a subclass); returns the error for more checks."""
    try:
        result = call()
    except StudentError as error:
        if error.is_a(name):
            return error
        raise CheckFailure(f"{what}: expected {name}, got {describe_error(error)}") from None
    raise CheckFailure(f"{what}: expected {name}, but it returned {show(result, 200)}")


def student_call(what: str, call: Callable[[], Any]) -> Any:
    """``call()``, turning an exception of the submission's into a failure that says where."""
    try:
        return call()
    except StudentError as error:
        raise CheckFailure(f"{what}: raised {describe_error(error)}") from None
