"""What can go wrong in a sandbox: the submission's process failing, a setup failing, and the
submission's own exceptions as plain data."""

import builtins
import functools


class SandboxError(Exception):
    """The submission's process failed (not the submission's function)."""


class SandboxTimeout(SandboxError):
    """A call did not return in time; the worker was killed."""


class SandboxCrash(SandboxError):
    """The worker died (exit, signal, memory) or broke the protocol."""


class SandboxSetupError(Exception):
    """The sandbox never started: the machine's or the grader's fault, not the submission's.

    Not a ``SandboxError`` (those are charged to the submission). The message
    ends with what the launcher and the worker printed.
    """


class SandboxLost(Exception):
    """The sandbox died of a cause outside it: the kernel killed it for memory while it
    stayed well under its own cap (a container's memory ran out for another's use), or the
    zygote it was forked from died. Not a ``SandboxError``: the grader's fault, never the
    submission's."""


class StudentError(Exception):
    """The submission's code raised; ``info`` is the worker's plain-data description.

    ``student_error`` makes it also an instance of the builtin exception the
    submission raised (``ValueError``, ...), so a test's
    ``pytest.raises(ValueError)`` means the same here as next to the code.
    """

    def __init__(self, info: dict) -> None:
        self.info = info
        self.type = str(info.get("type", "Exception"))
        self.bases = [str(b) for b in info.get("bases", [])]
        super().__init__(str(info.get("message", "")))

    def is_a(self, name: str) -> bool:
        return name in self.bases or name == self.type


@functools.cache
def _as_builtin(name: str) -> type[StudentError]:
    base = getattr(builtins, name, None)
    if not (isinstance(base, type) and issubclass(base, Exception)) or base is Exception:
        return StudentError
    try:
        return type(f"Student{name}", (StudentError, base), {})
    except TypeError:  # a base whose layout cannot be mixed in (OSError, ...)
        return StudentError


def student_error(info: dict) -> StudentError:
    bases = [str(b) for b in info.get("bases", [])] or [str(info.get("type", ""))]
    return next(
        (_as_builtin(b) for b in bases if _as_builtin(b) is not StudentError), StudentError
    )(info)
