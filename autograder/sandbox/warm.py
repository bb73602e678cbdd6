"""Warm sandboxes: start each one from a zygote that has imported its libraries already.

A cold sandbox starts a new Python that imports numpy (0.1 s) and its profile's
libraries (a deep-learning framework: seconds) before the submission's first line runs. A zygote
(``zygote.py``) pays that once per grader process and libraries, and forks each sandbox
from itself; the child then sets itself up exactly as a cold one (same namespaces, same
new root, same user, same limits, same cgroups) before anything of the submission's runs.

What the children share with the zygote and with each other: the pages of the Python
interpreter and of the libraries it imported, copy-on-write (a write makes a private
copy, so no child can change what another sees), and the state an import leaves. The
zygote is a fresh interpreter started with a sandbox's environment, never a fork of the
grader, and it never runs a request: it holds no grader state (no open files but its
control socket, which each child closes; no reference or check in memory; no sandbox's
configuration, which each child reads from its own requests pipe). Each child draws a
fresh random state (Python's and numpy's), as a new process would.

``RNNLAB_WARM=0`` turns zygotes off: every sandbox starts cold.
"""

import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


class ZygoteError(Exception):
    """The zygote could not start or stopped answering (the grader's fault, not the student's)."""


def enabled() -> bool:
    return os.environ.get("RNNLAB_WARM", "1") != "0"


class Child:
    """A sandbox process forked by a zygote, with what the grader uses of a ``Popen``."""

    def __init__(self, pid: int, handle: int, status: int, output: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdout = os.fdopen(output, "rb", buffering=0)
        self._handle = handle  # a pidfd: signals reach this process, never a reused pid
        self._status = status  # the zygote writes the wait status here

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._status], [], [], 0)[0]:
            data = os.read(self._status, 4)
            if len(data) == 4:
                status = struct.unpack("i", data)[0]
                self.returncode = (
                    -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
                )
            else:  # the zygote died first: its children were killed with it
                self.returncode = -signal.SIGKILL
            self._close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired("sandbox", timeout)
            select.select([self._status], [], [], left)
        return self.returncode

    def kill(self) -> None:
        if self._handle is not None:
            try:
                signal.pidfd_send_signal(self._handle, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _close(self) -> None:
        for fd in (self._handle, self._status):
            if fd is not None:
                os.close(fd)
        self._handle = self._status = None

    def __del__(self) -> None:
        if self._status is not None:
            self._close()


class Zygote:
    """One zygote process: a Python with ``preload`` (and the worker, and ``helper``)
    imported, started with environment ``env``."""

    def __init__(
        self,
        runtime_files: list[Path],
        helper: Path | None,
        preload: tuple,
        env: dict,
        timeout: float,
    ) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="rnnlab-zygote-"))
        for path in runtime_files:
            shutil.copy(path, self.folder / path.name)
        if helper is not None:
            from autograder.sandbox.inside import HELPER

            shutil.copy(helper, self.folder / HELPER)
        self._lock = threading.Lock()
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._log = tempfile.TemporaryFile()
        command = [sys.executable, "-I", str(self.folder / "zygote.py"), str(theirs.fileno())]
        try:
            self.process: subprocess.Popen | None = None
            self.process = subprocess.Popen(
                [*command, *preload],
                cwd=self.folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        except OSError as error:
            self.close()
            raise ZygoteError(f"the zygote did not start: {error}") from None
        finally:
            theirs.close()
        self._expect(b"ready", timeout)

    def _expect(self, word: bytes, timeout: float) -> None:
        self._control.settimeout(timeout)
        try:
            said = self._control.recv(len(word))
        except OSError:
            said = b""
        if said != word:
            try:
                code = f" (exit code {self.process.wait(timeout=2)})"
            except subprocess.TimeoutExpired:
                code = f" (no word within {timeout:g} s)"
            said = self._log_text()
            self.close()
            raise ZygoteError(f"the zygote did not start{code}: {said}")

    def _log_text(self) -> str:
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace")[-2000:].strip()
        return text or "it printed nothing"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def spawn(self, requests: int, replies: int) -> Child:
        """Fork a sandbox reading ``requests`` and writing ``replies`` (pipe ends the caller
        still closes); its output comes back on the child's ``stdout``."""
        status_r, status_w = os.pipe()
        output_r, output_w = os.pipe()
        try:
            with self._lock:
                self._control.settimeout(60.0)
                passed = [requests, replies, output_w, status_w]
                socket.send_fds(self._control, [b"fork"], passed)
                message, fds, _, _ = socket.recv_fds(self._control, 4, 1)
        except OSError as error:
            os.close(status_r)
            os.close(output_r)
            self.process.kill()  # out of step or dying: the next sandbox gets a new zygote
            self.process.wait()
            raise ZygoteError(f"the zygote stopped answering: {error}") from None
        finally:
            os.close(status_w)
            os.close(output_w)
        if len(message) != 4 or len(fds) != 1 or struct.unpack("i", message)[0] <= 0:
            for fd in (*fds, status_r, output_r):
                os.close(fd)
            raise ZygoteError(f"the zygote could not fork: {self._log_text()}")
        return Child(struct.unpack("i", message)[0], fds[0], status_r, output_r)

    def close(self) -> None:
        self._control.close()
        if self.process is not None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_zygotes: dict[tuple, Zygote] = {}
_starting: dict[tuple, threading.Lock] = {}
_registry_lock = threading.Lock()


def zygote(
    runtime_files: list[Path], helper: Path | None, preload: tuple, env: dict, timeout: float
) -> Zygote:
    """This grader's zygote for these files, libraries and environment (started once, and
    again if it died); ``ZygoteError`` if it does not start within ``timeout`` seconds."""
    files = [(str(p), p.stat().st_mtime_ns) for p in [*runtime_files, *[helper] * bool(helper)]]
    key = (sys.executable, tuple(files), tuple(preload), tuple(sorted(env.items())))
    with _registry_lock:  # one lock per zygote: a slow start holds up no other
        starting = _starting.setdefault(key, threading.Lock())
    with starting:
        found = _zygotes.get(key)
        if found is None or not found.alive:
            found = _zygotes[key] = Zygote(runtime_files, helper, tuple(preload), env, timeout)
        return found


def running() -> list[Zygote]:
    """This grader's zygotes, alive or not (a dead one is replaced when next asked for)."""
    with _registry_lock:
        return list(_zygotes.values())


def close_all() -> None:
    """Stop every zygote of this grader (each ends with its control socket anyway)."""
    with _registry_lock:
        for found in _zygotes.values():
            found.close()
        _zygotes.clear()
