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
START_TIMEOUT = 120.0
"""Seconds a worker may take to say hello (a loaded machine imports numpy slowly)."""
SETUP_OUTPUT_SHOWN = 2000
"""Characters of the sandbox's output a ``SandboxSetupError`` shows (its last ones)."""
SANDBOX_UID = 65534  # nobody: owns no files, and the PID namespace confines its processes
NAMESPACE_FLAGS = ["--mount", "--pid", "--net", "--fork", "--mount-proc", "--kill-child"]


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

    max_reply: int = wire.MAX_FRAME
    """The largest reply frame accepted (bytes); a larger one is the worker's garbage."""
    _requests: int | None = None
    _replies: int | None = None
    _drainer: threading.Thread | None = None

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
        """Start the worker and wait for its hello; ``SandboxSetupError`` if it never says it."""
        self._folder = Path(tempfile.mkdtemp(prefix="rnnlab-sandbox-"))
        try:
            self._launch()
            self._wait_for_hello()
        except BaseException:
            self.close()
            raise

    def _launch(self) -> None:
        runtime, work = self._folder / "runtime", self._folder / "work"
        runtime.mkdir()
        here = Path(__file__).parent
        for name in RUNTIME_FILES:
            shutil.copy(here / name, runtime / name)
        shutil.copytree(self.submission, work, symlinks=False)
        for folder in (self._folder, runtime, work):
            folder.chmod(0o755)

        requests_r, self._requests = os.pipe()
        self._replies, replies_w = os.pipe()
        mode = isolation()
        config = {
            "mode": mode,
            "work": str(work),
            "hidden": [str(p) for p in self._hidden_paths()],
            "keep": sorted({str(self._folder), *map(str, _python_paths())}),
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
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(requests_r, replies_w),
                start_new_session=True,
            )
        except OSError as error:
            raise SandboxSetupError(f"the sandbox could not be started: {error}") from None
        finally:
            os.close(requests_r)
            os.close(replies_w)
        self._drainer = threading.Thread(
            target=self._drain, args=(self.process.stdout,), daemon=True
        )
        self._drainer.start()

    def _wait_for_hello(self) -> None:
        """The worker's first frame says it runs; nothing of the submission's has run yet."""
        try:
            hello = wire.receive(self._replies, time.monotonic() + START_TIMEOUT, max_frame=1 << 10)
        except wire.WireTimeout:
            problem, exiting = f"no hello within {START_TIMEOUT:.0f} s", False
        except EOFError:
            problem, exiting = "it exited before it was ready", True
        except (wire.WireError, OSError) as error:
            problem, exiting = f"it sent garbage instead of its hello ({error})", False
        else:
            if type(hello) is dict and list(hello) == ["value"] and hello["value"] == "ready":
                return
            problem, exiting = f"it sent {str(hello)[:200]} instead of its hello", False
        report = self._setup_report(exiting)
        raise SandboxSetupError(f"the sandbox did not start: {problem}{report}")

    def _setup_report(self, exiting: bool) -> str:
        """How the launcher ended and the end of what it printed, for the instructor."""
        code = None
        if exiting:  # its own exit code says why; give it a moment to finish
            try:
                code = self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self._kill()  # and whatever it left in its process group
        if self._drainer is not None:
            self._drainer.join(timeout=5)
        status = "" if code is None else f" (exit code {code})"
        text = bytes(self.output).decode("utf-8", "replace")[-SETUP_OUTPUT_SHOWN:].strip()
        return f"{status}; its output:\n{text}" if text else f"{status}; it printed nothing"

    def close(self) -> None:
        """Kill the worker and everything it started; remove its folder. Never raises."""
        if self.process is not None:
            self._kill()
            self.process = None
        for fd in (self._requests, self._replies):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._requests = self._replies = None
        if self._folder is not None:
            _remove_tree(self._folder)
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
        """Send one request and wait for its reply; raise what went wrong.

        One deadline, ``timeout`` from now, covers writing the whole request and
        reading the whole reply: a worker that stops reading, or sends half a
        frame and sleeps, times out like an endless loop.
        """
        if not self.alive:
            raise SandboxCrash(self._death())
        frame = wire.pack(message)  # the grader's own data: an error here is the grader's
        deadline = time.monotonic() + max(timeout, 0.0)
        try:
            wire.write(self._requests, frame, deadline)
            reply = wire.receive(self._replies, deadline, max_frame=self.max_reply)
        except wire.WireTimeout:
            self._kill()
            raise SandboxTimeout(f"no answer within {timeout:.0f} s (an endless loop?)") from None
        except (EOFError, OSError):  # a broken pipe, or the reply cut short: it is gone
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
        # Never cover the system itself (a submission at /sub.zip would name "/"), nor
        # the Python installation: installed with `pip install .`, the project's ROOT is
        # site-packages, and its own packages (hidden above one by one) are what must go.
        # A folder that merely holds the installation (the home) is covered and the
        # installation put back by the launcher.
        system = [Path(p) for p in ("/usr", "/lib", "/bin", "/etc")]
        python = _python_paths()
        return sorted(
            p for p in paths if p not in python and not any(s.is_relative_to(p) for s in system)
        )

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


def _python_paths() -> list[Path]:
    """The Python installation the worker runs on: its prefixes and site-packages."""
    import site

    prefixes = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    return sorted(
        prefixes | {Path(p).resolve() for p in site.getsitepackages() if Path(p).exists()}
    )


# -- removing a sandbox's folder -------------------------------------------------------

_DIRECTORY = os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _remove_tree(root: Path) -> None:
    """Remove ``root`` and all in it, whatever the submission made of it; never raises.

    ``shutil.rmtree`` recurses once per level (a 3,000-deep chain of folders ends
    in RecursionError) and cannot enter folders the submission made unreadable.
    Here each folder is first moved up into ``root`` itself, so nothing recurses
    and no path gets long, and each is made the grader's to empty (mode 700)
    through a handle, so no symbolic link is ever followed. ``rm -rf``, bounded in
    time, gets what is left if anything failed.
    """
    try:
        _empty_flat(root)
        os.rmdir(root)
    except OSError:
        pass
    if os.path.lexists(root):
        try:
            subprocess.run(["rm", "-rf", "--", str(root)], capture_output=True, timeout=120)
        except (OSError, subprocess.SubprocessError):
            pass


def _empty_flat(root: Path) -> None:
    top = _open_own(str(root), None)
    try:
        with os.scandir(top) as entries:
            pending = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
        taken, moved = set(os.listdir(top)), 0
        _unlink_all_but_folders(top)
        while pending:
            name = pending.pop()
            try:
                folder = _open_own(name, top)
            except OSError:
                continue
            try:
                with os.scandir(folder) as entries:
                    children = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
                for child in children:
                    while (new := f".removed-{moved}") in taken:
                        moved += 1
                    taken.add(new)
                    try:
                        os.close(_own(child, folder))  # moving it rewrites its "..": make it ours
                        os.rename(child, new, src_dir_fd=folder, dst_dir_fd=top)
                    except OSError:
                        continue
                    pending.append(new)
                _unlink_all_but_folders(folder)
            finally:
                os.close(folder)
            try:
                os.rmdir(name, dir_fd=top)
            except OSError:
                pass
    finally:
        os.close(top)


def _unlink_all_but_folders(folder: int) -> None:
    """Unlink files, links (not their targets) and the rest; folders are moved, not here."""
    with os.scandir(folder) as entries:
        names = [e.name for e in entries if not e.is_dir(follow_symlinks=False)]
    for name in names:
        try:
            os.unlink(name, dir_fd=folder)
        except OSError:
            pass


def _own(name: str, dir_fd: int | None) -> int:
    """A handle on the folder ``name`` (never a link's target), made ours: mode 700.

    The grader owns what the sandbox made, or is root; the handle is closed by the caller.
    """
    handle = os.open(name, os.O_PATH | _DIRECTORY, dir_fd=dir_fd)
    try:
        os.chmod(f"/proc/self/fd/{handle}", 0o700)  # through the handle: a link is not followed
    except BaseException:
        os.close(handle)
        raise
    return handle


def _open_own(name: str, dir_fd: int | None) -> int:
    """A descriptor to list and empty the folder ``name``, made ours first."""
    handle = _own(name, dir_fd)
    try:
        return os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=handle)
    finally:
        os.close(handle)
