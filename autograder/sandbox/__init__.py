"""Run submission code in a separate, confined process and talk to it in plain data.

``Sandbox`` starts one worker process (``worker.py``) for a submission folder
and forwards calls to it; only plain data crosses back (``wire``). The grader
never imports or unpickles anything from the submission.

How confined the worker is depends on the machine (``isolation()``):

- ``namespaces`` (root, or unprivileged user namespaces allowed): fresh mount,
  PID and network namespaces. The project, the reference, the grader, the
  results and other submissions are covered by empty file systems, everything
  is read-only but the worker's own folder, and the worker runs as a separate
  unprivileged user (root grader) or without any capability (user namespace).
  No network. When the worker is killed, every process it left dies with it.
- ``none``: resource limits and a process group only; the submission could
  read files the grader can read. Results say so.

Either way: a wall-clock timeout per call, a memory cap (``RLIMIT_AS``), a CPU
cap, a cap on file sizes, and the submission's printing kept to its first
64 KiB.
"""

import builtins
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import wire

RUNTIME_FILES = ("worker.py", "wire.py", "probes.py", "launcher.py")
OUTPUT_KEPT = 64 << 10
SANDBOX_UID = 65534  # nobody: owns no files, and the PID namespace confines its processes
NAMESPACE_FLAGS = ["--mount", "--pid", "--net", "--fork", "--mount-proc", "--kill-child"]


class SandboxError(Exception):
    """The submission's process failed (not the submission's function)."""


class SandboxTimeout(SandboxError):
    """A call did not return in time; the worker was killed."""


class SandboxCrash(SandboxError):
    """The worker died (exit, signal, memory) or broke the protocol."""


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


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048
    cpu_seconds: int = 600
    file_mb: int = 64
    processes: int = 512


@functools.cache
def isolation() -> str:
    """``"namespaces"`` if ``unshare`` can make this machine's sandbox, else ``"none"``."""
    if os.environ.get("RNNLAB_SANDBOX") == "none" or shutil.which("unshare") is None:
        return "none"
    command = ["unshare", *_user_flags(), *NAMESPACE_FLAGS, "true"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "none"
    return "namespaces" if done.returncode == 0 else "none"


def describe_isolation() -> str:
    """One sentence for the results: what the sandbox can and cannot stop here."""
    if isolation() == "none":
        return (
            "sandbox: limits only (no namespaces on this machine): submission code ran in "
            "separate processes with time and memory limits, but could read files the "
            "grader can read"
        )
    who = "as an unprivileged user" if os.geteuid() == 0 else "without capabilities"
    return (
        f"sandbox: namespaces: submission code ran {who}, with the grading files hidden, "
        "a read-only file system, no network, and time and memory limits"
    )


def _user_flags() -> list[str]:
    return [] if os.geteuid() == 0 else ["--map-root-user"]


class Sandbox:
    """One worker process serving one submission folder."""

    def __init__(
        self,
        submission: Path,
        *,
        hidden: list[Path] = (),
        limits: Limits = Limits(),
        env: dict[str, str] | None = None,
    ) -> None:
        self.submission = Path(submission)
        self.hidden = [Path(p) for p in hidden]
        self.limits = limits
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.output = bytearray()
        self.output_total = 0
        self._folder: Path | None = None

    # -- lifetime --------------------------------------------------------------

    def start(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="rnnlab-sandbox-"))
        runtime, work = self._folder / "runtime", self._folder / "work"
        runtime.mkdir()
        here = Path(__file__).parent
        for name in RUNTIME_FILES:
            shutil.copy(here / name, runtime / name)
        shutil.copytree(self.submission, work, symlinks=False)
        for folder in (self._folder, runtime, work):
            folder.chmod(0o755)

        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        mode = isolation()
        config = {
            "mode": mode,
            "work": str(work),
            "hidden": [str(p) for p in self._hidden_paths()],
            "keep": sorted(
                {sys.prefix, sys.base_prefix, str(self._folder), *map(str, _site_dirs())}
            ),
            "uid": SANDBOX_UID if os.geteuid() == 0 else None,
            "limits": self._rlimits(mode),
            "argv": [
                sys.executable,
                "-I",
                str(runtime / "worker.py"),
                str(requests_r),
                str(replies_w),
                str(work),
            ],
            "env": self._env(work),
        }
        command = [sys.executable, "-I", str(runtime / "launcher.py"), json.dumps(config)]
        if mode == "namespaces":
            command = ["unshare", *_user_flags(), *NAMESPACE_FLAGS, *command]
        if shutil.which("setpriv"):  # if the grader dies, so does its sandbox
            command = ["setpriv", "--pdeathsig", "KILL", *command]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(requests_r, replies_w),
            start_new_session=True,
        )
        os.close(requests_r)
        os.close(replies_w)
        self._requests, self._replies = requests_w, replies_r
        threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True).start()

    def close(self) -> None:
        """Kill the worker and everything it started; remove its folder."""
        if self.process is not None:
            self._kill()
            for fd in (self._requests, self._replies):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.process = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- requests --------------------------------------------------------------

    def import_module(self, name: str, timeout: float, preload: tuple[str, ...] = ()) -> None:
        """Import the submission's module ``name``, after the libraries in ``preload``."""
        self.request({"op": "import", "module": name, "preload": list(preload)}, timeout)

    def call(self, module: str, function: str, args=(), kwargs=None, *, timeout: float):
        return self.request(
            {
                "op": "call",
                "module": module,
                "function": function,
                "args": list(args),
                "kwargs": kwargs or {},
            },
            timeout,
        )

    def probe(self, name: str, args=(), kwargs=None, *, timeout: float):
        return self.request(
            {"op": "probe", "name": name, "args": list(args), "kwargs": kwargs or {}}, timeout
        )

    def request(self, message: dict, timeout: float):
        """Send one request and wait for its reply; raise what went wrong."""
        if not self.alive:
            raise SandboxCrash(self._death())
        try:
            wire.send(self._requests, message)
        except OSError:
            raise SandboxCrash(self._death()) from None
        ready, _, _ = select.select([self._replies], [], [], max(timeout, 0.0))
        if not ready:
            self._kill()
            raise SandboxTimeout(f"no answer within {timeout:.0f} s (an endless loop?)")
        try:
            reply = wire.receive(self._replies)
        except EOFError:
            raise SandboxCrash(self._death()) from None
        except wire.WireError as error:
            self._kill()
            raise SandboxCrash(f"the submission's process sent garbage: {error}") from None
        if not isinstance(reply, dict) or not ({"value", "error"} & set(reply)):
            self._kill()
            raise SandboxCrash("the submission's process sent a malformed reply")
        if "error" in reply:
            info = reply["error"] if isinstance(reply["error"], dict) else {}
            raise student_error(info)
        return reply["value"]

    # -- helpers ---------------------------------------------------------------

    def _hidden_paths(self) -> list[Path]:
        import autograder

        grader = Path(autograder.__file__).resolve().parent
        paths = {
            autograder.ROOT,
            grader,
            Path.home(),
            self.submission.resolve().parent,
            Path(tempfile.gettempdir()).resolve(),
        }
        try:
            import reference

            paths.add(Path(reference.__file__).resolve().parent)
        except ImportError:
            pass
        paths.update(p.resolve() for p in self.hidden)
        # Never cover the system itself (a submission at /sub.zip would name "/").
        system = [Path(p) for p in ("/usr", "/lib", "/bin", "/etc")]
        return sorted(p for p in paths if not any(s.is_relative_to(p) for s in system))

    def _rlimits(self, mode: str) -> dict:
        limits = {
            "RLIMIT_AS": self.limits.memory_mb << 20,
            "RLIMIT_CPU": self.limits.cpu_seconds,
            "RLIMIT_FSIZE": self.limits.file_mb << 20,
            "RLIMIT_CORE": 0,
        }
        if mode == "namespaces" and os.geteuid() == 0:  # counted per user: nobody's alone
            limits["RLIMIT_NPROC"] = self.limits.processes
        return limits

    def _env(self, work: Path) -> dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(work),
            "TMPDIR": str(work),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MALLOC_ARENA_MAX": "2",  # glibc's per-thread arenas would eat the address space
            "TF_USE_LEGACY_KERAS": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "CUDA_VISIBLE_DEVICES": "",
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",  # the same set and dict orders on every run
        }
        return {**env, **self.extra_env}

    def _drain(self, stream) -> None:
        """Keep the first OUTPUT_KEPT bytes of the submission's output, count the rest."""
        while chunk := stream.read1(1 << 16):
            self.output_total += len(chunk)
            room = OUTPUT_KEPT - len(self.output)
            if room > 0:
                self.output += chunk[:room]

    def _kill(self) -> None:
        process = self.process
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def _death(self) -> str:
        """Why the worker is gone, in words."""
        process = self.process
        if process is None:
            return "the submission's process is not running"
        deadline = time.monotonic() + 2
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        code = process.poll()
        if code is None:
            self._kill()
            return "the submission's process stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            hint = " (over the CPU limit)" if name == "SIGXCPU" else ""
            hint = " (wrote a file over the size limit)" if name == "SIGXFSZ" else hint
            return f"the submission's process was killed by {name}{hint}"
        return f"the submission's process exited with code {code} (sys.exit or os._exit?)"


def _site_dirs() -> list[Path]:
    import site

    return [Path(p) for p in site.getsitepackages() if Path(p).exists()]
