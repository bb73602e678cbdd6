"""The submission as hidden and public tests see it (``sub``): calls that run in a sandbox.

``SubmissionProxy`` starts the question's sandbox on first use, imports the module
(after the profile's ``preload``), forwards each call, and replaces a sandbox that
timed out or crashed, so one test's endless loop costs that test only. Calls into
a profile's helper (``sub.probe.NAME``) run in a second, clean sandbox on what the
submission exported: see ``SubmissionProxy._probe``.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from autograder.authoring import describe_error
from autograder.sandbox import Sandbox, SandboxError, StudentError

CALL_TIMEOUT = 30.0
"""Seconds one call into the submission may take (less when the question's time is short)."""


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


class SubmissionProxy:
    """``sub``: the submission's module; each call runs in a sandbox worker.

    ``substitutes`` maps ``(module, function)`` to the reference's function: the
    graded functions of OTHER questions on the same module, so that one bug
    costs one question.

    The worker starts on first use, imports ``module`` after the libraries in
    ``preload``, and is replaced after a timeout or a crash. ``deadline`` is the
    question's (``time.monotonic()``): calls time out when it passes.

    ``sub.probe.NAME(config, ...)`` calls the profile's helper. With
    ``make_clean_sandbox`` (a helper that defines ``export`` and ``load``), the
    submission's sandbox only runs ``export(module, config, seed=...)``, once per
    (config, seed), and a clean sandbox, where no submission code runs, gets it
    through ``load(config, seed, exported)`` and runs every probe: nothing is
    measured where the submission's code has run. ``probe_label`` names the
    submission's function the probes exercise, in feedback.
    """

    def __init__(
        self,
        make_sandbox: Callable[[], Sandbox],
        module: str,
        deadline: float,
        *,
        preload: tuple[str, ...] = (),
        substitutes: dict[tuple[str, str], Callable] | None = None,
        make_clean_sandbox: Callable[[], Sandbox] | None = None,
        probe_label: str = "probe",
    ) -> None:
        self._make_sandbox = make_sandbox
        self._make_clean_sandbox = make_clean_sandbox
        self._module = module
        self._preload = preload
        self._deadline = deadline
        self._substitutes = substitutes or {}
        self._probe_label = probe_label
        self._sandbox: Sandbox | None = None
        self._clean: Sandbox | None = None  # runs the probes; no submission code runs there
        self._exported: dict[str, Any] = {}  # exports as data, or the build's StudentError
        self._loaded: set[str] = set()  # what the live clean sandbox has imported
        self.last_call: tuple[str, tuple, dict, Any] | None = None
        """The latest call and its result, for feedback; only one is kept, however many ran."""
        self._printed = ""  # what closed sandboxes printed since the last take_output()
        self._taken = 0  # bytes of the live sandbox's output already taken

    def __repr__(self) -> str:  # as a failed assert in a public test shows it
        return "sub"

    def __getattr__(self, module: str) -> "_Module":
        if module != self._module:
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
            module = self._module
            try:
                self._sandbox.import_module(module, self._timeout(), self._preload)
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
                return self._sandbox
            raise Abort(f"{module}.py fails to import: {reason}", zero_question=True)
        return self._sandbox

    def _call(self, module: str, function: str, args: tuple, kwargs: dict) -> Any:
        # Probes run the submission's function: name it, as the student knows it.
        label = self._probe_label if module == "probe" else f"{module}.{function}"
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
            return self._worker().probe(self._module, name, args, kwargs, timeout=self._timeout())
        config, seed = args[0], kwargs.get("seed", 0)
        key = repr((sorted(config.items()), seed))
        if key not in self._exported:
            try:
                self._exported[key] = self._worker().probe(
                    self._module, "export", (config,), {"seed": seed}, timeout=self._timeout()
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
            self._clean.import_module(None, self._timeout(), self._preload)
        if key not in self._loaded:
            self._clean.request(
                {"op": "load", "args": [config, seed, exported]}, timeout=self._timeout()
            )
            self._loaded.add(key)
        return self._clean.probe(self._module, name, args, kwargs, timeout=self._timeout())

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
    def __init__(self, student: SubmissionProxy, name: str) -> None:
        self._student, self._name = student, name

    def __repr__(self) -> str:
        return f"sub.{self._name}"

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
