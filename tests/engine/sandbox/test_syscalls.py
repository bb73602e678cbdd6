"""The system-call allow-list: what it takes out of Docker's profile, and that a loaded
program refuses what it should and lets Python and numpy run."""

import os
import subprocess
import sys

import pytest

from autograder.sandbox import syscalls

needs_libseccomp = pytest.mark.skipif(
    syscalls.program() is None, reason="no libseccomp on this machine"
)


def test_nothing_removed_is_allowed():
    assert not set(syscalls.ALLOWED) & syscalls.REMOVED
    for name in ("mq_open", "ptrace", "bpf", "keyctl", "mount", "io_uring_setup", "socketcall"):
        assert name in syscalls.REMOVED
    assert "socket" not in syscalls.ALLOWED  # allowed for AF_UNIX only, by a rule of its own


@needs_libseccomp
def test_the_program_is_whole_instructions():
    program = syscalls.program()
    assert program and len(program) % 8 == 0


CHILD = """
import base64, errno, os, socket, sys
sys.path.insert(0, sys.argv[1])
import confine
import ctypes
ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # no new privileges, as the launcher sets
confine.load_seccomp(base64.b64decode(sys.argv[2]))
import numpy
a, b = socket.socketpair()
a.send(b"x")
found = {"unix": b.recv(1).decode(), "numpy": int(numpy.arange(4).sum())}
for family in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK):
    try:
        socket.socket(family, socket.SOCK_DGRAM)
        found[family.name] = "opened"
    except OSError as error:
        found[family.name] = errno.errorcode[error.errno]
libc = ctypes.CDLL(None, use_errno=True)
libc.mq_open(b"/rnnlab-test", 0o100 | 2, 0o600, None)
found["mq_open"] = errno.errorcode[ctypes.get_errno()]
print(found)
"""


@needs_libseccomp
def test_a_loaded_program_refuses_the_network_and_queues_and_runs_numpy():
    import base64

    from autograder.sandbox.inside import INSIDE_CODE

    program = base64.b64encode(syscalls.program()).decode()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(INSIDE_CODE), program],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.returncode == 0, done.stderr
    found = eval(done.stdout)  # noqa: S307 - our own child's repr of a dict of strings
    assert found == {
        "unix": "x",
        "numpy": 6,
        "AF_INET": "EAFNOSUPPORT",
        "AF_INET6": "EAFNOSUPPORT",
        "AF_NETLINK": "EAFNOSUPPORT",
        "mq_open": "EPERM",
    }
