"""What checks are written with: the submission seen from the grader, comparisons, feedback.

A check is a plain function. Public ones (in ``assignment/tests``) take the
submission as ``sub``; hidden ones (the modules beside this file) also take
the reference as ``ref``. ``sub.vocab.build_vocab(texts)`` runs in the
sandbox and returns plain data; the reference runs here. A check fails by
raising ``CheckFailure`` (or a bare ``AssertionError``) with a message a
student can act on, and it never shows reference code. A check that passes
may return a line of information for the report (a gradient check's errors).
"""

import atexit
import math
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir

from autograder.sandbox import Sandbox, SandboxError, StudentError
from autograder.sandbox.wire import Opaque

# Hypothesis keeps files (literals it gathers from local modules: the reference's and the
# hidden checks') in a home folder, by default the working directory: keep it private.
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="rnnlab-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)

CALL_TIMEOUT = 30.0
"""Seconds one call into the submission may take (less when the question's time is short)."""


class CheckFailure(AssertionError):
    """A check's verdict against the submission, with the feedback to show.

    ``see`` names the test (by id, in the same question) of the clause that
    really failed, when this test fails only because of it: the feedback then
    points there instead of blaming this test's own clause.
    """

    def __init__(self, message: str, *, see: str | None = None) -> None:
        super().__init__(message)
        self.see = see


class Abort(BaseException):
    """Stops the current test at once (no shrinking, no retries): a timeout or a crash.

    ``zero_question`` marks what the contract scores 0 for the whole question:
    a module that fails to import, or a graded function that raises
    ``NotImplementedError``.
    """

    def __init__(self, message: str, *, zero_question: bool = False) -> None:
        super().__init__(message)
        self.zero_question = zero_question


# -- the submission as seen from the grader -----------------------------------------


class Student:
    """The submission's modules; each call runs in a sandbox worker.

    ``substitutes`` maps ``(module, function)`` to the reference's function:
    the graded functions of OTHER questions, so that a test of
    ``rnn_backward`` builds its ``layers`` with the reference's ``rnn_forward``
    and one bug costs one question.

    The worker starts on first use and is replaced after a timeout or a crash,
    so one test's endless loop costs that test only. ``deadline`` is the
    question's (``time.monotonic()``): calls time out when it passes.
    """

    def __init__(
        self,
        make_sandbox: Callable[[], Sandbox],
        modules: tuple[str, ...],
        deadline: float,
        substitutes: dict[tuple[str, str], Callable] | None = None,
        make_clean_sandbox: Callable[[], Sandbox] | None = None,
    ) -> None:
        self._make_sandbox = make_sandbox
        self._make_clean_sandbox = make_clean_sandbox
        self._modules = modules
        self._deadline = deadline
        self._substitutes = substitutes or {}
        self._sandbox: Sandbox | None = None
        self._clean: Sandbox | None = None  # runs the probes; no submission code runs there
        self._exported: dict[str, Any] = {}  # graphs as data, or the build's StudentError
        self._loaded: set[str] = set()  # what the live clean sandbox has imported
        self.last_call: tuple[str, tuple, dict, Any] | None = None
        """The latest call and its result, for feedback; only one is kept, however many ran."""
        self._printed = ""  # what closed sandboxes printed since the last take_output()
        self._taken = 0  # bytes of the live sandbox's output already taken

    def __getattr__(self, module: str) -> "_Module":
        if module.startswith("_") or module not in self._modules:
            raise AttributeError(module)
        return _Module(self, module)

    @property
    def probe(self) -> "_Module":
        return _Module(self, "probe")

    def close(self) -> None:
        if self._sandbox is not None:
            self._collect_output()
            self._sandbox.close()
            self._sandbox = None
            self._taken = 0
        self._close_clean()

    def _close_clean(self) -> None:
        if self._clean is not None:
            self._clean.close()
            self._clean = None
            self._loaded = set()

    def _timeout(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise Abort("the question ran out of time")
        return min(CALL_TIMEOUT, left)

    @contextmanager
    def _guard(self, label: str) -> Iterator[None]:
        try:
            yield
        except SandboxError as error:
            raise Abort(f"{label}: {error}") from None
        except StudentError as error:
            if error.is_a("NotImplementedError"):
                raise Abort(
                    f"{label} raises NotImplementedError: not written yet", zero_question=True
                ) from None
            raise

    def _worker(self) -> Sandbox:
        if self._sandbox is not None and not self._sandbox.alive:
            self.close()
        if self._sandbox is None:
            self._sandbox = self._make_sandbox()
            self._sandbox.start()
            for module in self._modules:
                preload = ("tensorflow",) if module == "lstm" else ()
                try:
                    self._sandbox.import_module(module, self._timeout(), preload)
                except StudentError as error:
                    if error.is_a("NotImplementedError"):
                        raise Abort(
                            f"{module}.py raises NotImplementedError when imported",
                            zero_question=True,
                        ) from None
                    reason = describe_error(error)
                except SandboxError as error:
                    reason = str(error)
                else:
                    continue
                raise Abort(f"{module}.py fails to import: {reason}", zero_question=True)
        return self._sandbox

    def _call(self, module: str, function: str, args: tuple, kwargs: dict) -> Any:
        # Probes run build_graph: name it, as the student knows it.
        label = "lstm.build_graph" if module == "probe" else f"{module}.{function}"
        with self._guard(label):
            if module == "probe":
                result = self._probe(function, args, kwargs)
            else:
                box = self._worker()
                result = box.call(module, function, args, kwargs, timeout=self._timeout())
        self.last_call = (label, args, kwargs, result)
        return result

    def _probe(self, name: str, args: tuple, kwargs: dict) -> Any:
        """Probe ``name`` on the graph of ``args[0]`` (a config): the submission's sandbox
        exports the graph as data, once per config; a clean sandbox imports and probes it."""
        if self._make_clean_sandbox is None:  # measured where the submission runs
            return self._worker().probe(name, args, kwargs, timeout=self._timeout())
        config, seed = args[0], kwargs.get("seed", 0)
        key = repr((sorted(config.items()), seed))
        if key not in self._exported:
            try:
                self._exported[key] = self._worker().probe(
                    "export", (config,), {"seed": seed}, timeout=self._timeout()
                )
            except StudentError as error:  # a build that raised raises again, unbuilt
                self._exported[key] = error
        exported = self._exported[key]
        if isinstance(exported, StudentError):
            raise exported
        if self._clean is not None and not self._clean.alive:
            self._close_clean()
        if self._clean is None:
            self._clean = self._make_clean_sandbox()
            self._clean.start()
            self._clean.import_module(None, self._timeout(), ("tensorflow",))
        if key not in self._loaded:
            self._clean.request(
                {"op": "load", "args": [config, seed, exported]}, timeout=self._timeout()
            )
            self._loaded.add(key)
        return self._clean.probe(name, args, kwargs, timeout=self._timeout())

    def take_output(self) -> str:
        """What the submission printed since the last call of this (per test, so a
        hidden test's output is never shown with a visible one)."""
        self._collect_output()
        text, self._printed = self._printed, ""
        return text

    def _collect_output(self) -> None:
        box = self._sandbox
        if box is None:
            return
        box.settle_output()
        self._printed += bytes(box.output[self._taken :]).decode("utf-8", "replace")
        if box.output_total > len(box.output) and self._taken <= len(box.output):
            self._printed += "\n... (more output was dropped: only the first 64 KiB are kept)"
            self._taken = len(box.output) + 1  # said once per sandbox
        else:
            self._taken = len(box.output)


class _Module:
    def __init__(self, student: Student, name: str) -> None:
        self._student, self._name = student, name

    def __getattr__(self, function: str) -> Callable:
        if function.startswith("_"):
            raise AttributeError(function)
        student, module = self._student, self._name
        substitute = student._substitutes.get((module, function))
        if substitute is not None:  # another question's function: the reference's
            return substitute

        def call(*args, **kwargs):
            return student._call(module, function, args, kwargs)

        call.__name__ = function
        return call


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
    """Fail with ``what``, the difference, and a named known mistake when one matches."""
    reason = difference(got, expected, **tolerances)
    if reason is None:
        return
    message = f"{what}: {reason}"
    name = known_mistake(got, mistakes or {}, **tolerances)
    if name:
        message += f". This is what {name} gives"
    raise CheckFailure(message)


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


def properties(max_examples: int = 60) -> settings:
    """Hypothesis settings for grading: the same cases on every run, shrunk on failure."""
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
