"""The sandbox and its wire: plain data only, and a process the submission cannot get out of."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

import autograder.sandbox as sandbox_module
from autograder import ROOT
from autograder.sandbox import Limits, Sandbox, SandboxCrash, SandboxTimeout, StudentError, wire

PROBE = """
import os, socket, sys

def read(path):
    with open(path) as handle:
        return handle.read(100)

def write(path):
    with open(path, "w") as handle:
        handle.write("x")
    return "written"

def connect():
    socket.create_connection(("127.0.0.1", 9), timeout=2)

def whoami():
    return [os.getuid(), os.getpid()]

def shout(n):
    sys.stdout.write("y" * n)
    sys.stdout.flush()
    return n

def spin():
    while True:
        pass

def leave(code):
    os._exit(code)

def bad_value():
    raise ValueError("seq_len is 0")

class Liar:
    def __eq__(self, other):
        return True

def liar():
    return [Liar(), np_array()]

def np_array():
    import numpy
    return numpy.arange(3, dtype=numpy.int16)
"""


@pytest.fixture
def box(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    with Sandbox(folder, limits=Limits(memory_mb=1024)) as running:
        running.import_module("probe", timeout=10)
        yield running


def call(box, function, *args, timeout=10):
    return box.call("probe", function, args, timeout=timeout)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        -(2**70),
        2.5,
        float("inf"),
        "text",
        [1, [2]],
        (1, "a"),
        {"a": 1, 2: (3,)},
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.float32(1.5),
    ],
)
def test_wire_round_trips_plain_data(value):
    back = wire.decode(wire.encode(value))
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
    else:
        assert back == value and type(back) is type(value)


def test_wire_turns_other_objects_into_markers_that_equal_nothing():
    class Liar:
        def __eq__(self, other):
            return True

    for value in (Liar(), np.array([Liar()], dtype=object), {1, 2}):
        back = wire.decode(wire.encode(value))
        assert isinstance(back, wire.Opaque) and back != back and not back == 1


@pytest.mark.parametrize("frame", [{"$pickle": "x"}, {"$npy": "bm90IG5weQ=="}, {"a": 1, "b": 2}])
def test_wire_refuses_malformed_frames(frame):
    with pytest.raises(wire.WireError):
        wire.decode(frame)


def test_errors_come_back_as_the_builtin_type(box):
    with pytest.raises(ValueError, match="seq_len is 0") as caught:
        call(box, "bad_value")
    assert isinstance(caught.value, StudentError)
    assert caught.value.info["frames"][-1].startswith("probe.py:")


def test_results_are_plain_data(box):
    liar, array = call(box, "liar")
    assert isinstance(liar, wire.Opaque) and liar != 1
    assert array.dtype == np.int16 and array.tolist() == [0, 1, 2]


def test_an_endless_loop_times_out_and_kills_the_worker(box):
    with pytest.raises(SandboxTimeout):
        call(box, "spin", timeout=1)
    assert not box.alive


def test_exiting_is_reported_with_its_code(box):
    with pytest.raises(SandboxCrash, match="exited with code 7"):
        call(box, "leave", 7)


def test_printing_is_kept_to_its_first_64_kib(box):
    assert call(box, "shout", 3_000_000) == 3_000_000
    box.close()
    assert len(box.output) == sandbox_module.OUTPUT_KEPT
    assert box.output_total >= 3_000_000


def test_namespaces_hide_the_grader_and_block_writes_and_network(box, tmp_path):
    if sandbox_module.isolation() != "namespaces":
        pytest.skip("this machine cannot make namespaces: the sandbox only limits time and memory")
    for path in (ROOT / "reference" / "rnn.py", ROOT / "autograder" / "rubric.py"):
        with pytest.raises(FileNotFoundError):
            call(box, "read", str(path))
    escape = Path(sys.prefix) / "rnnlab-escape.txt"  # visible to it, but not writable
    with pytest.raises(OSError, match="Read-only|Permission denied"):
        call(box, "write", str(escape))
    assert not escape.exists()
    with pytest.raises(FileNotFoundError):  # the grader's temporary files are hidden too
        call(box, "write", str(tmp_path / "escape.txt"))
    assert call(box, "write", "mine.txt") == "written"  # its own folder is writable
    with pytest.raises(OSError):
        call(box, "connect")
    uid, pid = call(box, "whoami")
    assert pid == 1  # alone in its own PID namespace
    if os.geteuid() == 0:
        assert uid == sandbox_module.SANDBOX_UID


def test_without_namespaces_the_results_say_so(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox_module, "isolation", lambda: "none")
    assert "could read files" in sandbox_module.describe_isolation()
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    with Sandbox(folder) as box:
        box.import_module("probe", timeout=10)
        assert call(box, "np_array").tolist() == [0, 1, 2]
