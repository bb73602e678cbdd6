"""A zygote: one Python that has imported a profile's libraries, and forks sandboxes.

Runs as ``python -I zygote.py CONTROL_FD LIBRARY...`` from a runtime folder of its own
(``warm.Zygote`` starts it), with a sandbox's environment: a fresh interpreter, never a
fork of the grader, so nothing of the grader's (open files, the reference, results) is
in it. It imports the worker (with the profile's helper) and ``LIBRARY...`` (numpy,
a framework), says ``ready`` on the control socket, and then, for each request (four
descriptors: the sandbox's requests, replies and output pipes, and a status pipe), forks
a child and answers with the child's pid and a pidfd for it.

The child (``become_sandbox``) reads its configuration from the requests pipe, so no
sandbox's configuration, paths included, ever passes through the zygote, whose memory
every later child inherits. It then does what ``unshare`` and ``launcher.py`` do for a
cold sandbox, in the same order and with the same code (``launcher.launch``), and runs
the worker in place of ``exec``. The zygote never runs a request, so its children share
only the libraries' pages (copy-on-write) and the state an import leaves.

The zygote reaps its children and writes each one's wait status (4 bytes) to its status
pipe; it ends, and its children with it (except a permissions tier's guard, which must
clean up), when the grader closes the control socket or dies.
"""

import os
import random
import select
import shutil
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import launcher  # noqa: E402
import wire  # noqa: E402
import worker  # noqa: E402  (imports the profile's helper, if it has one)

del sys.path[0]

CONFIG_TIMEOUT = 60.0
"""Seconds a child waits for its configuration (the grader writes it right after the fork)."""


def become_sandbox(requests: int, replies: int, output: int) -> None:
    """In a fresh child: become the sandbox ``launcher.py`` would make, then the worker."""
    try:
        os.setsid()  # its own process group, as a cold sandbox's ``start_new_session``
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        _close_all_but({0, 1, 2, requests, replies})
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        config = wire.receive(requests, time.monotonic() + CONFIG_TIMEOUT)
        config.update(lifeline=requests, replies=replies)
        if config["tier"] != "permissions":  # a guard outlives the grader, to clean up
            launcher.die_with_parent(os.getppid(), requests)
        os.umask(0o022)
        if config["tier"] == "namespaces":
            launcher.unshare_namespaces(config["user_namespace"])
        launcher.launch(config, run=lambda: _run_worker(config))
    except BaseException as error:  # noqa: BLE001 - report any failure, never return
        print(f"sandbox: {error}", file=sys.stderr, flush=True)
    os._exit(127)


def _close_all_but(keep: set[int]) -> None:
    """Close what the zygote had open (its control socket, other children's status pipes)."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass  # the listing's own descriptor, already gone


def _run_worker(config: dict) -> None:
    """What ``exec`` of the worker would do, in this process: its environment, its argv."""
    os.environ.clear()
    os.environ.update(config["env"])
    sys.argv = [worker.__file__, str(config["lifeline"]), str(config["replies"]), config["work"]]
    # Every child starts from the zygote's random state: draw a fresh one, as a new process.
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    try:
        worker.main()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001 - a stream the submission replaced
                pass
        os._exit(0)


def serve(control: socket.socket) -> None:
    """Fork a child per request; write each child's wait status when it ends."""
    statuses: dict[int, int] = {}
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so the wakeup byte is written
    while True:
        ready, _, _ = select.select([control, wake_r], [], [])
        if wake_r in ready:
            os.read(wake_r, 4096)
            _reap(statuses)
        if control not in ready:
            continue
        message, fds, _, _ = socket.recv_fds(control, 16, 4)
        if not message:  # the grader is gone
            return
        if len(fds) != 4:
            for fd in fds:
                os.close(fd)
            control.sendall(struct.pack("i", -1))
            continue
        requests, replies, output, status = fds
        pid = os.fork()
        if pid == 0:
            become_sandbox(requests, replies, output)
        handle = os.pidfd_open(pid)  # before any reaping: the pid cannot be reused yet
        for fd in (requests, replies, output):
            os.close(fd)
        statuses[pid] = status
        socket.send_fds(control, [struct.pack("i", pid)], [handle])
        os.close(handle)


def _reap(statuses: dict[int, int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        fd = statuses.pop(pid, None)
        if fd is not None:
            try:
                os.write(fd, struct.pack("i", status))
            except OSError:
                pass  # the grader already closed that sandbox
            os.close(fd)


def main() -> None:
    launcher.set_oom_score(launcher.ZYGOTE_OOM_SCORE)
    control = socket.socket(fileno=int(sys.argv[1]))
    try:
        # Not a parent-death signal: that follows the grader's thread that started the
        # zygote, which may end long before the grader. The socket closes only with it.
        if launcher.grader_gone(control.fileno()):
            return
        worker.quiet_libraries()
        for library in sys.argv[2:]:
            worker.import_quietly(library)
    finally:
        # Imported (or given up): the folder is not needed again, and no grader that dies
        # without closing its zygotes (killed, or never calling ``close_all``) leaves it.
        shutil.rmtree(os.path.dirname(os.path.abspath(__file__)), ignore_errors=True)
    control.sendall(b"ready")
    serve(control)


if __name__ == "__main__":
    main()
