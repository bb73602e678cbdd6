"""What tests are written with: verdicts, comparisons that explain themselves, hypothesis settings.

A test is a plain function. A public test ``test_<id>(sub)`` (in the assignment's
``public_tests`` folder, shipped to students) takes the submission as ``sub``; a
hidden test ``<id>(sub, ref)`` (in the ``hidden_tests`` folder, beside the
reference, never shipped) also takes the reference as ``ref``.

- ``sub.<module>.<function>(...)`` runs in the sandbox and returns plain data
  (lists, dicts, numbers, strings, numpy arrays; anything else arrives as an
  ``Opaque`` marker that equals nothing). ``sub.probe.<name>(...)`` calls the
  profile's helper instead. An exception of the submission's arrives as
  ``StudentError``.
- ``ref.<module>.<function>(...)`` is the reference, run in the grader (imported
  on first use).
- A test fails by raising ``CheckFailure`` (or a bare ``AssertionError``) with a
  message that names the mistake, never its fix, and never shows reference code.
  A test that passes may return a line of information for the report (a gradient
  check's errors).

Example, a hidden test::

    from hypothesis import given, strategies as st
    from autograder.authoring import expect, properties, student_call

    def mean_matches_reference(sub, ref):
        @properties(40)
        @given(st.lists(st.floats(-1e3, 1e3), min_size=1))
        def prop(values):
            got = student_call(f"mean({values})", lambda: sub.stats.mean(values))
            expect(got, ref.stats.mean(values), f"mean({values})",
                   mistakes={"dividing by n - 1": sum(values) / max(len(values) - 1, 1)})
        prop()
"""

import atexit
import functools
import math
import shutil
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from autograder.model.mistakes import GIVES
from autograder.sandbox import StudentError
from autograder.sandbox.inside.wire import Opaque

if TYPE_CHECKING:
    from hypothesis import settings


@functools.cache
def _private_hypothesis_home() -> None:
    """Hypothesis keeps files (literals it gathers from local modules: the reference's and
    the hidden checks') in a home folder, by default the working directory: keep it private."""
    from hypothesis.configuration import set_hypothesis_home_dir

    home = tempfile.mkdtemp(prefix="rnnlab-hypothesis-")
    set_hypothesis_home_dir(home)
    atexit.register(shutil.rmtree, home, True)


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


# -- comparing and describing ------------------------------------------------------------


def show(value: Any, limit: int = 400) -> str:
    """A short, readable rendering of a value for feedback."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, threshold=40, edgeitems=3, precision=6)
        text = f"array({body}, shape={value.shape}, dtype={value.dtype})"
    else:
        try:
            text = repr(value)
        except ValueError:  # an int (somewhere inside) past Python's digit limit for str()
            bits = f" of {value.bit_length()} bits" if isinstance(value, int) else ""
            text = f"<{type(value).__name__}{bits}, too large to show>"
    return text if len(text) <= limit else text[: limit - 5] + " ...]"


def difference(
    got: Any,
    expected: Any,
    *,
    rtol: float = 1e-7,
    atol: float = 1e-9,
    strict_types: bool = False,
    path: str = "",
) -> str | None:
    """Why ``got`` is not ``expected`` (None when it is). Lists and tuples are alike
    unless ``strict_types``; numbers compare within tolerance; ints exactly."""
    where = f" at {path}" if path else ""
    if isinstance(got, Opaque):
        return f"returned {got!r}{where}: not plain data (a list, dict, number, str or array)"
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        try:
            got_array = np.asarray(got)
        except (ValueError, TypeError):
            return f"expected an array{where}, got {show(got)}"
        expected = np.asarray(expected)
        if got_array.shape != expected.shape:
            return f"expected shape {expected.shape}{where}, got shape {got_array.shape}"
        if got_array.dtype.kind not in "biuf" and expected.dtype.kind in "biuf":
            return f"expected numbers{where}, got dtype {got_array.dtype}"
        if got_array.size and not np.allclose(
            got_array, expected, rtol=rtol, atol=atol, equal_nan=True
        ):
            bad = np.argwhere(
                ~np.isclose(got_array, expected, rtol=rtol, atol=atol, equal_nan=True)
            )[0]
            index = tuple(int(i) for i in bad)
            return (
                f"values differ{where}: at index {index} expected "
                f"{expected[index].item()!r}, got {got_array[index].item()!r}"
            )
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"expected a dict{where}, got {type(got).__name__}: {show(got)}"
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing keys {show(missing, 120)}")
            if extra:
                parts.append(f"unexpected keys {show(extra, 120)}")
            return f"{' and '.join(parts)}{where}"
        for key in expected:
            reason = difference(
                got[key],
                expected[key],
                rtol=rtol,
                atol=atol,
                strict_types=strict_types,
                path=f"{path}[{key!r}]",
            )
            if reason:
                return reason
        return None
    if isinstance(expected, list | tuple):
        kinds = (type(expected),) if strict_types else (list, tuple)
        if not isinstance(got, kinds):
            return f"expected a {type(expected).__name__}{where}, got {show(got)}"
        if len(got) != len(expected):
            return f"expected length {len(expected)}{where}, got length {len(got)}"
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            reason = difference(
                a, b, rtol=rtol, atol=atol, strict_types=strict_types, path=f"{path}[{i}]"
            )
            if reason:
                return reason
        return None
    if isinstance(expected, bool) or isinstance(expected, str) or expected is None:
        return (
            None
            if (type(got) is type(expected) and got == expected)
            else (f"expected {show(expected)}{where}, got {show(got)}")
        )
    if isinstance(expected, int | np.integer):
        if isinstance(got, bool) or not isinstance(got, int | np.integer) or got != expected:
            return f"expected {show(expected)}{where}, got {show(got)}"
        return None
    if isinstance(expected, float | np.floating):
        if not isinstance(got, int | float | np.integer | np.floating) or isinstance(got, bool):
            return f"expected a number{where}, got {show(got)}"
        try:
            value = float(got)
        except OverflowError:  # an int too large for a float is no close answer
            return f"expected {float(expected)!r}{where}, got {show(got)}"
        if math.isclose(value, float(expected), rel_tol=rtol, abs_tol=atol):
            return None
        return f"expected {float(expected)!r}{where}, got {value!r}"
    return None if got == expected else f"expected {show(expected)}{where}, got {show(got)}"


def known_mistake(got: Any, variants: dict[str, Any], **tolerances) -> str | None:
    """The name of the first known-buggy variant that ``got`` matches, if any.

    A variant that is ``None`` (the mistake does not apply to this input) names
    nothing: a function that returns ``None`` has not made that mistake.
    """
    if got is None:
        return None
    for name, value in variants.items():
        if value is not None and difference(got, value, **tolerances) is None:
            return name
    return None


def expect(
    got: Any, expected: Any, what: str, *, mistakes: dict[str, Any] | None = None, **tolerances
) -> None:
    """Fail with ``what``, the difference, and a named known mistake when one matches
    (``mistakes``: its name -> the answer it gives; a name holds no value of the case)."""
    reason = difference(got, expected, **tolerances)
    if reason is None:
        return
    message = f"{what}: {reason}"
    name = known_mistake(got, mistakes or {}, **tolerances)
    if name:
        message += ". " + GIVES.format(name)
    raise CheckFailure(message, mistake=name)


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


def properties(max_examples: int = 60) -> "settings":
    """Hypothesis settings for grading: the same cases on every run, shrunk on failure.
    (Hypothesis is imported here, not with this module: public tests never need it.)"""
    from hypothesis import HealthCheck, Phase, settings

    _private_hypothesis_home()
    _not_the_strategys_random()
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        report_multiple_bugs=False,  # one failure, as a verdict, never an exception group
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )


RANDOM_BLAMED = "Do not use the `random` module inside strategies"
"""How Hypothesis starts the deprecation warning it gives when ``random``'s state changed
during a draw (``_not_the_strategys_random``)."""


def _not_the_strategys_random() -> None:
    """Hypothesis blames the strategy drawing for ANY change of the ``random`` module's state
    during a draw, whoever made it: another thread's (a Dask worker's own loop, a grade beside
    this one). The checks' strategies never use ``random`` (tests/lab/test_strategies.py draws
    them with that warning as an error), so it is never theirs: it is left out. Set at each
    ``properties()``: pytest resets the filters around each of its tests."""
    import warnings

    from hypothesis.errors import HypothesisDeprecationWarning

    warnings.filterwarnings("ignore", RANDOM_BLAMED, HypothesisDeprecationWarning)


# -- gradient checks (CS231n's) ------------------------------------------------------------


def numerical_gradient(loss: Callable[[], float], weight: np.ndarray, step: float = 1e-5):
    """Central differences of ``loss()`` with respect to ``weight``, changed in place and
    restored: shape of ``weight``. ``loss`` reads ``weight`` (a float64 array) each call."""
    grad = np.zeros_like(weight)
    for index in np.ndindex(weight.shape):
        kept = weight[index]
        weight[index] = kept + step
        plus = loss()
        weight[index] = kept - step
        minus = loss()
        weight[index] = kept
        grad[index] = (plus - minus) / (2 * step)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """The largest difference relative to the larger array's largest entry (NaN stays NaN)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-300))
