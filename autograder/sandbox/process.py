"""The sandbox: one worker process for a submission folder, calls forwarded as plain data."""

import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

from autograder.sandbox import syscalls, view
from autograder.sandbox import warm as _warm
from autograder.sandbox.cgroups import Cgroups, container_room_mb
from autograder.sandbox.errors import (
    SandboxCrash,
    SandboxLost,
    SandboxSetupError,
    SandboxTimeout,
    student_error,
)
from autograder.sandbox.inside import HELPER, INSIDE_CODE, RUNTIME_FILES, ZYGOTE, wire
from autograder.sandbox.inside import launcher as _launcher
from autograder.sandbox.limits import Limits
from autograder.sandbox.lockdown import guard_project
from autograder.sandbox.removal import remove_tree
from autograder.sandbox.tiers import NAMESPACE_FLAGS, TIERS, isolation, landlock_abi, user_flags
from autograder.sandbox.uids import claim_uid, release_uid

OUTPUT_KEPT = 64 << 10
START_TIMEOUT = 120.0
"""Seconds a worker may take to say hello (a loaded machine imports numpy slowly)."""
SETUP_OUTPUT_SHOWN = 2000
"""Characters of the sandbox's output a ``SandboxSetupError`` shows (its last ones)."""
THREADS = "2"
"""Threads per pool for OpenMP and BLAS (a profile's env sets other libraries'): threads count
against the process cap."""


class Sandbox:
    """One worker process serving one submission folder."""

    max_reply: int = wire.MAX_FRAME
    """The largest reply frame accepted (bytes); a larger one is the worker's garbage."""
    _requests: int | None = None
    _replies: int | None = None
    _drainer: threading.Thread | None = None
    _zygote: _warm.Zygote | None = None

    def __init__(
        self,
        submission: Path,
        *,
        hidden: list[Path] = (),
        limits: Limits = Limits(),
        env: dict[str, str] | None = None,
        tier: str | None = None,
        helper: Path | None = None,
        preload: tuple[str, ...] = (),
        warm: bool | None = None,
    ) -> None:
        self.submission = Path(submission)
        self.preload = tuple(preload)
        """Libraries imported before the submission: a warm sandbox has them already."""
        self.warm = _warm.enabled() if warm is None else warm
        """Forked from a zygote (``warm``) rather than started as a new Python."""
        self.helper = helper
        """A Python file the worker imports before the submission: ``probe`` calls it."""
        self.hidden = [Path(p) for p in hidden]
        self.limits = limits
        self.extra_env = env or {}
        self.tier = tier
        """The tier to run in; None: ``isolation()`` when started."""
        self.memory_mb = limits.memory_mb
        """The sandbox's memory in all: its profile's, or less when a container has less left."""
        self.uid: int | None = None
        """The sandbox's own user, while it runs (a root grader, not the limits-only tier)."""
        self.cgroups: Cgroups | None = None
        self.process: subprocess.Popen | _warm.Child | None = None
        self.output = bytearray()
        self.output_total = 0
        self._folder: Path | None = None
        self._uid_lock: int | None = None
        self._output_lock = threading.Lock()

    # -- lifetime --------------------------------------------------------------

    @property
    def scratch(self) -> Path | None:
        """The folder this sandbox made for the submission's copy (None until started); it is
        removed when the sandbox closes."""
        return self._folder

    def start(self) -> None:
        """Start the worker and wait for its hello; ``SandboxSetupError`` if it never says it."""
        self.tier = self.tier or isolation()
        if self.tier not in TIERS:
            raise SandboxSetupError(f"no sandbox tier {self.tier!r} (one of {', '.join(TIERS)})")
        if self.tier == "permissions" and os.geteuid() != 0:
            raise SandboxSetupError("the permissions tier needs a grader running as root")
        _launcher.set_oom_score(_launcher.GRADER_OOM_SCORE)  # root only: the grader last
        self._folder = Path(tempfile.mkdtemp(prefix="rnnlab-sandbox-"))
        try:
            self._launch()
            self._wait_for_hello()
        except BaseException:
            self.close()
            raise

    def _launch(self) -> None:
        tier, folder = self.tier, self._folder
        runtime, work = folder / "runtime", folder / "work"
        runtime.mkdir()
        here = INSIDE_CODE
        for name in RUNTIME_FILES:
            shutil.copy(here / name, runtime / name)
        if self.helper is not None:
            shutil.copy(self.helper, runtime / HELPER)
        shutil.copytree(self.submission, work, symlinks=False)
        runtime.chmod(0o755)
        if os.geteuid() == 0 and tier != "none":
            self.uid, self._uid_lock = claim_uid()
        room = container_room_mb()
        self.memory_mb = self.limits.memory_mb if room is None else min(self.limits.memory_mb, room)
        self.memory_mb = max(self.memory_mb, 16)  # a cap of 0 or less would refuse everything
        self.cgroups = Cgroups(self.limits, memory_mb=self.memory_mb)

        requests_r, self._requests = os.pipe()
        self._replies, replies_w = os.pipe()
        if tier == "namespaces":
            where = view.INSIDE
        else:
            where = {"work": str(work), "tmp": str(work), "runtime": str(runtime)}
        config = {
            "tier": tier,
            "uid": self.uid,
            "lifeline": requests_r,
            "replies": replies_w,
            "cgroups": [str(f) for f in self.cgroups.folders],
            "cgroup_kill": self.cgroups.kill_switch and str(self.cgroups.kill_switch),
            "work": where["work"],
            "home": where["work"],
            "limits": self.limits.rlimits(own_user=self.uid is not None),
            "argv": [
                sys.executable,
                "-I",
                f"{where['runtime']}/worker.py",
                str(requests_r),
                str(replies_w),
                where["work"],
            ],
            "env": self._env(where["work"], where["tmp"]),
            "user_namespace": bool(user_flags()),
            "landlock": self._landlock(where),
            "seccomp": syscalls.encoded(),
        }
        command = [sys.executable, "-I", str(runtime / "launcher.py")]
        if tier == "namespaces":
            root = folder / "root"
            root.mkdir()
            config.update(view.root_plan([*self.hidden, self.submission.resolve().parent]))
            config.update(
                root=str(root),
                staging=str(work),
                runtime=str(runtime),
                disk_bytes=self.limits.disk_mb << 20,
                inodes=max(1024, self.limits.disk_mb * 64),
            )
            command = ["unshare", *user_flags(), *NAMESPACE_FLAGS, *command]
        elif tier == "permissions":
            _launcher.adopt_orphans()
            folder.chmod(0o711)  # its user passes through to its folders, lists nothing
            guard_project(self._folder, self.submission, self.hidden, bool(config["landlock"]))
        if self.warm:
            self._fork(config, requests_r, replies_w)
            return
        # The permissions tier's guard must outlive the grader to clean up: it watches the
        # requests pipe instead of a parent-death signal.
        if tier != "permissions" and shutil.which("setpriv"):
            command = ["setpriv", "--pdeathsig", "KILL", *command]
        try:
            self.process = subprocess.Popen(
                [*command, json.dumps(config)],
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
        self._start_drainer()

    def _fork(self, config: dict, requests_r: int, replies_w: int) -> None:
        """Fork the sandbox from this grader's zygote for its libraries; it reads ``config``
        as its first request."""
        try:
            try:
                self._zygote = self.zygote()
                self.process = self._zygote.spawn(requests_r, replies_w)
            except _warm.ZygoteError:  # it died since it was found alive: once more, anew
                self._zygote = self.zygote()
                self.process = self._zygote.spawn(requests_r, replies_w)
        except (_warm.ZygoteError, OSError) as error:
            raise SandboxSetupError(f"the sandbox could not be started: {error}") from None
        finally:
            os.close(requests_r)
            os.close(replies_w)
        self._start_drainer()
        try:
            wire.send(self._requests, config, time.monotonic() + START_TIMEOUT)
        except (wire.WireTimeout, OSError):
            pass  # it died first: waiting for its hello says how

    def zygote(self) -> _warm.Zygote:
        """The zygote this sandbox forks from (started now if it is not yet running)."""
        here = INSIDE_CODE
        return _warm.zygote(
            [here / name for name in (*RUNTIME_FILES, ZYGOTE)],
            self.helper,
            self.preload,
            self._env("/", tempfile.gettempdir()),
            timeout=START_TIMEOUT,
        )

    def prewarm(self) -> None:
        """Start this sandbox's zygote in the background, so that its libraries import
        while the grader does other work; ``start`` waits for it."""
        if self.warm:
            threading.Thread(target=self._quiet_zygote, daemon=True).start()

    def _quiet_zygote(self) -> None:
        with contextlib.suppress(_warm.ZygoteError, OSError):  # start() reports it
            self.zygote()

    def _start_drainer(self) -> None:
        self._drainer = threading.Thread(
            target=self._drain, args=(self.process.stdout.fileno(),), daemon=True
        )
        self._drainer.start()

    def _landlock(self, where: dict) -> dict | None:
        """What Landlock lets the worker read and write; None without Landlock."""
        if not landlock_abi():
            return None
        return view.landlock_rules(self.tier, where["work"], where["runtime"], self.hidden)

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
        """Kill the worker and everything it started; remove all it left. Never raises."""
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
        if self.uid is not None and self.tier == "permissions":
            _launcher.remove_user_traces(self.uid)  # its IPC objects, its files in /tmp
            _launcher.reap_user(self.uid)
        if self.cgroups is not None:
            self.cgroups.remove()
            self.cgroups = None
        if self._folder is not None:
            remove_tree(self._folder)
            self._folder = None
        if self._uid_lock is not None:  # last: nothing of that user is left
            release_uid(self.uid, self._uid_lock)
            self._uid_lock = None
        self.uid = None

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- requests --------------------------------------------------------------

    def import_module(
        self, name: str | None, timeout: float, preload: tuple[str, ...] = ()
    ) -> None:
        """Import the submission's module ``name`` (None: none), after the libraries in
        ``preload``."""
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

    def probe(self, module: str, name: str, args=(), kwargs=None, *, timeout: float):
        """The helper's ``name(<module, if imported here>, *args, **kwargs)``."""
        request = {"op": "probe", "module": module, "name": name, "args": list(args)}
        return self.request({**request, "kwargs": kwargs or {}}, timeout)

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

    def _env(self, home: str, tmp: str) -> dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": home,
            "TMPDIR": tmp,
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MALLOC_ARENA_MAX": "2",  # glibc's per-thread arenas would eat the address space
            "CUDA_VISIBLE_DEVICES": "",
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",  # the same set and dict orders on every run
            # Thread pools sized by the machine's cores would not fit the process cap
            # on a big machine (a profile's env sets its libraries' own pools).
            "OMP_NUM_THREADS": THREADS,
            "OPENBLAS_NUM_THREADS": THREADS,
            "MKL_NUM_THREADS": THREADS,
        }
        return {**env, **self.extra_env}

    def _drain(self, fd: int) -> None:
        """Keep the first OUTPUT_KEPT bytes of the submission's output, count the rest."""
        os.set_blocking(fd, False)
        readable = select.poll()
        readable.register(fd, select.POLLIN)
        while True:
            readable.poll()
            with self._output_lock:
                if not self._read_output(fd):
                    return

    def _read_output(self, fd: int) -> bool:
        """Take what the pipe holds now (the caller holds the lock); False at its end."""
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return True
        except OSError:
            return False
        self.output_total += len(chunk)
        room = OUTPUT_KEPT - len(self.output)
        if room > 0:
            self.output += chunk[:room]
        return bool(chunk)

    def settle_output(self) -> None:
        """Take in all the worker has printed so far, so ``output`` is up to date.

        The worker flushes its output before each reply, but output and replies
        come through different pipes: without this, a reply could be read before
        the printing that came ahead of it.
        """
        process = self.process
        if process is None or process.stdout is None:
            return
        fd = process.stdout.fileno()
        with self._output_lock:  # the drainer reads under the same lock: no byte is missed
            while _pending(fd) > 0 and self._read_output(fd):
                pass

    def _kill(self) -> None:
        """Kill the worker and every process of the sandbox, wherever it went."""
        process = self.process
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if isinstance(process, _warm.Child):  # killed before it made its process group
            process.kill()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.cgroups is not None:  # a process that left the process group is still here
            self.cgroups.kill()
        if self.uid is not None and self.tier == "permissions":  # no PID namespace: by user
            _launcher.kill_user(self.uid)

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
        if code < 0 and self._zygote is not None and not self._zygote.alive:
            raise SandboxLost("the zygote it was forked from (the grader's) died")
        if code < 0:
            name = signal.Signals(-code).name
            hint = " (over the CPU limit)" if name == "SIGXCPU" else ""
            hint = " (wrote a file over the size limit)" if name == "SIGXFSZ" else hint
            if name == "SIGKILL" and self.cgroups is not None and self.cgroups.oom_kills():
                self.cgroups.check_own_use(self.memory_mb, self.limits.memory_mb)
                return f"the submission's process ran out of memory ({self.memory_mb} MB)"
            return f"the submission's process was killed by {name}{hint}"
        return f"the submission's process exited with code {code} (sys.exit or os._exit?)"


def _pending(fd: int) -> int:
    """Bytes waiting in the pipe ``fd`` (0 when it cannot tell)."""
    try:
        return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
    except OSError:
        return 0
