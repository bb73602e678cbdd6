"""The sandbox and its wire: plain data only, and a process the submission cannot get out of."""

import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import autograder.sandbox as sandbox_module
from autograder import ROOT
from autograder.authoring import difference
from autograder.sandbox import (
    Limits,
    Sandbox,
    SandboxCrash,
    SandboxError,
    SandboxLost,
    SandboxSetupError,
    SandboxTimeout,
    StudentError,
    inside,
    process,
)
from autograder.sandbox.inside import wire

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

def open_files():
    return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))

def draws():
    import random
    import numpy
    return [random.random(), float(numpy.random.random())]

def environment():
    return dict(os.environ)

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

def size(text):
    return len(text)

def subclasses():
    import collections, enum, numpy
    Split = collections.namedtuple("Split", "train_x train_y")
    class Colour(enum.IntEnum):
        RED = 3
    class LyingInt(int):
        def __eq__(self, other):
            return True
        __hash__ = int.__hash__
        def __index__(self):
            return 0
    class LyingList(list):
        def __iter__(self):
            return iter(["lie"])
    class LyingDict(dict):
        def items(self):
            return [("lie", 0)]
    return [
        Split(numpy.arange(4), [0, 1]),
        Colour.RED,
        LyingInt(5),
        LyingList([1, 2]),
        LyingDict(real=1),
        collections.OrderedDict(a=1),
        numpy.matrix([[1, 2]]),
    ]

def half_reply():
    import struct, time
    os.write(int(sys.argv[2]), struct.pack(">I", 1000))  # a header, then nothing
    time.sleep(3600)

def huge_header():
    import struct, time
    os.write(int(sys.argv[2]), struct.pack(">I", 2**32 - 1))
    time.sleep(3600)

def stop_reading():
    import time
    sys.modules["wire"].receive = lambda *args, **kwargs: time.sleep(3600)
    return "stopped"

def too_many():
    return [None] * 1_000_001

def break_numpy_save():
    import numpy
    def boom(*args, **kwargs):
        raise KeyboardInterrupt
    numpy.save = boom
    return numpy.arange(3)

def hostile_error():
    class Meta(type):
        @property
        def __mro__(cls):
            raise RuntimeError("no")
    class Hostile(Exception, metaclass=Meta):
        def __str__(self):
            raise RuntimeError("no")
    raise Hostile()

def deep(n):
    top = os.getcwd()
    os.mkdir("chain")
    os.chdir("chain")
    for i in range(n):
        os.mkdir("d")
        os.chdir("d")
        if i % 1000 == 0:
            with open("read-only", "w") as handle:
                handle.write("x")
            os.chmod("read-only", 0o400)
            os.symlink(top, "loop")
    for i in range(n):
        os.chdir("..")
        if i in (10, 2000):
            os.chmod("d", 0)  # nobody may enter it any more, its owner included
    os.chdir(top)
    os.mkdir("locked")
    os.chmod("locked", 0o500)
    return n
"""


@pytest.fixture(scope="module", autouse=True)
def _permissions_given_back():
    """A sandbox of the permissions tier changes this checkout's modes (and root's home's)."""
    yield
    sandbox_module.restore_permissions()


@pytest.fixture(params=["cold", "warm"])
def box(tmp_path, request):
    """A sandbox serving ``PROBE``: started cold, or forked from a zygote (``warm``)."""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    warm = request.param == "warm"
    with Sandbox(folder, limits=Limits(memory_mb=1024), warm=warm, preload=("numpy",)) as running:
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


def test_settled_output_holds_all_printed_before_the_reply(box):
    for calls in range(1, 31):  # output and replies come through different pipes
        assert call(box, "shout", 1000) == 1000
        box.settle_output()
        assert len(box.output) == box.output_total == 1000 * calls


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
    if os.geteuid() == 0:  # its own user, from the reserved range
        assert uid == box.uid
        assert sandbox_module.UID_BASE <= uid < sandbox_module.UID_BASE + sandbox_module.UID_COUNT


def test_without_namespaces_the_results_say_so(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLAB_SANDBOX", "none")
    monkeypatch.setenv("RNNLAB_LANDLOCK", "0")
    assert "could read files" in sandbox_module.describe_isolation()
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    with Sandbox(folder) as box:
        box.import_module("probe", timeout=10)
        assert call(box, "np_array").tolist() == [0, 1, 2]


# -- plain data through a real worker --------------------------------------------------


def test_subclasses_arrive_as_the_plain_data_they_hold(box):
    split, colour, liar, lying_list, lying_dict, ordered, matrix = call(box, "subclasses")
    assert type(split) is tuple and type(split[1]) is list
    # the check's comparison sees split_data's namedtuple as the reference's plain tuple
    assert difference(split, (np.arange(4), [0, 1]), strict_types=True) is None
    assert type(colour) is int and colour == 3
    assert type(liar) is int and liar == 5 and liar != 6
    assert lying_list == [1, 2] and type(lying_list) is list
    assert lying_dict == {"real": 1} and type(lying_dict) is dict
    assert ordered == {"a": 1} and type(ordered) is dict
    assert type(matrix) is np.ndarray and matrix.tolist() == [[1, 2]]


def test_a_result_over_the_limits_is_an_error_and_the_worker_goes_on(box):
    with pytest.raises(StudentError, match="could not be sent: WireError: more than"):
        call(box, "too_many")
    assert call(box, "size", "abc") == 3


def test_an_encoder_that_raises_anything_still_gets_an_error_reply(box):
    with pytest.raises(StudentError, match="could not be sent: KeyboardInterrupt"):
        call(box, "break_numpy_save")
    assert call(box, "size", "abc") == 3 and box.alive


def test_a_hostile_exception_is_still_an_error_reply(box):
    with pytest.raises(StudentError, match="could not be described"):
        call(box, "hostile_error")
    assert call(box, "size", "abc") == 3


# -- deadlines -------------------------------------------------------------------------


def test_a_worker_that_sends_half_a_frame_then_sleeps_times_out(box):
    started = time.monotonic()
    with pytest.raises(SandboxTimeout):
        call(box, "half_reply", timeout=1)
    assert time.monotonic() - started < 5
    assert not box.alive


def test_a_worker_that_stops_reading_times_out_a_huge_request(box):
    assert call(box, "stop_reading") == "stopped"
    started = time.monotonic()
    with pytest.raises(SandboxTimeout):
        call(box, "size", "x" * (10 << 20), timeout=1)  # far more than a pipe holds
    assert time.monotonic() - started < 5
    assert not box.alive


def test_a_frame_over_the_reply_limit_is_garbage(box):
    started = time.monotonic()
    with pytest.raises(SandboxCrash, match="garbage.*over the"):
        call(box, "huge_header")
    assert time.monotonic() - started < 5


# -- cleanup -----------------------------------------------------------------------------


def test_closing_removes_a_3000_deep_chain_of_locked_folders(tmp_path):
    # A tier whose work folder is on the grader's disk (the namespaces tier's is a tmpfs
    # that goes with its mount namespace).
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    box = Sandbox(folder, tier="permissions" if os.geteuid() == 0 else "none")
    box.start()
    box.import_module("probe", timeout=10)
    assert call(box, "deep", 3000, timeout=60) == 3000
    folder = box.scratch
    assert (folder / "work" / "chain" / "d").is_dir()
    box.close()
    assert not folder.exists()
    box.close()  # twice is fine


# -- a sandbox that never starts is the grader's problem ---------------------------------


@pytest.fixture
def submission(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    return folder


@pytest.fixture
def made_folders(monkeypatch):
    """Every folder a sandbox makes for itself, to see that a failed start leaves none."""
    made = []
    original = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        made.append(Path(original(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(process.tempfile, "mkdtemp", mkdtemp)
    return made


def runtime_with(tmp_path, monkeypatch, worker: str) -> None:
    """The sandbox's runtime files, with ``worker.py`` replaced by ``worker``: the worker a
    cold sandbox starts (a warm one's setup errors: ``test_a_zygote_that_...``)."""
    monkeypatch.setenv("RNNLAB_WARM", "0")
    here = inside.INSIDE_CODE
    fake = tmp_path / "runtime-source"
    fake.mkdir()
    for name in inside.RUNTIME_FILES:
        shutil.copy(here / name, fake / name)
    (fake / "worker.py").write_text(worker)
    monkeypatch.setattr(process, "INSIDE_CODE", fake)


def test_a_worker_that_dies_before_its_hello_is_a_setup_error(
    submission, tmp_path, monkeypatch, made_folders
):
    worker = "import sys\nprint('mount /x: Permission denied', flush=True)\nsys.exit(3)\n"
    runtime_with(tmp_path, monkeypatch, worker)
    box = Sandbox(submission)
    with pytest.raises(SandboxSetupError, match=r"(?s)exit code 3.*mount /x: Permission denied"):
        box.start()
    assert not issubclass(SandboxSetupError, SandboxError)
    assert not box.alive and made_folders and not any(p.exists() for p in made_folders)


@pytest.mark.parametrize("warm", ["0", "1"])
def test_a_missing_runtime_file_is_a_setup_error(submission, monkeypatch, made_folders, warm):
    monkeypatch.setenv("RNNLAB_WARM", warm)
    monkeypatch.setattr(process, "RUNTIME_FILES", ("worker.py", "launcher.py", "confine.py"))
    with pytest.raises(SandboxSetupError, match="No module named 'wire'"):
        Sandbox(submission).start()
    assert made_folders and not any(p.exists() for p in made_folders)


def test_a_python_that_does_not_exist_is_a_setup_error(submission, monkeypatch, made_folders):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    with pytest.raises(SandboxSetupError, match="No such file"):
        Sandbox(submission).start()
    assert made_folders and not any(p.exists() for p in made_folders)


def test_a_worker_that_says_something_else_first_is_a_setup_error(
    submission, tmp_path, monkeypatch
):
    worker = (
        "import os, sys\n"
        "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
        "import wire\n"
        "wire.send(int(sys.argv[2]), {'value': 'hello?'})\n"
    )
    runtime_with(tmp_path, monkeypatch, worker)
    with pytest.raises(SandboxSetupError, match="instead of its hello"):
        Sandbox(submission).start()


def test_a_worker_that_never_says_hello_is_a_setup_error(submission, tmp_path, monkeypatch):
    runtime_with(tmp_path, monkeypatch, "import time\ntime.sleep(3600)\n")
    monkeypatch.setattr(process, "START_TIMEOUT", 1.0)
    started = time.monotonic()
    with pytest.raises(SandboxSetupError, match="no hello within 1 s; it printed nothing"):
        Sandbox(submission).start()
    assert time.monotonic() - started < 10


# -- warm sandboxes: forked from a zygote, and no different inside -------------------------


def test_a_zygote_that_cannot_import_its_libraries_is_a_setup_error(submission, made_folders):
    box = Sandbox(submission, preload=("no_such_library_here",), warm=True)
    with pytest.raises(SandboxSetupError, match="No module named 'no_such_library_here'"):
        box.start()
    assert not box.alive and made_folders and not any(p.exists() for p in made_folders)


def test_a_warm_sandbox_holds_only_its_own_pipes_and_environment(box):
    fds = call(box, "open_files")
    assert fds[:3] == [0, 1, 2] and len(fds) <= 6  # stdio, requests, replies, the listing
    env = call(box, "environment")
    assert env["HOME"].endswith("work")
    assert not {"PYTEST_CURRENT_TEST", "VIRTUAL_ENV"} & set(env)


def test_each_warm_sandbox_draws_its_own_random_state(submission):
    seen = []
    for _ in range(2):
        with Sandbox(submission, preload=("numpy",), warm=True) as running:
            running.import_module("probe", timeout=10)
            seen.append(running.call("probe", "draws", (), timeout=10))
    assert seen[0][0] != seen[1][0] and seen[0][1] != seen[1][1]


def test_a_dead_zygote_is_replaced_and_its_sandboxes_are_lost_not_crashed(submission):
    """A zygote killed (by the kernel's OOM killer, say) takes its sandboxes with it: the
    grader's fault (``SandboxLost``), not the submission's (``SandboxCrash``)."""
    from autograder.sandbox import warm

    with Sandbox(submission, preload=("numpy",), warm=True) as running:
        running.import_module("probe", timeout=10)
        for zygote in warm.running():
            zygote.process.kill()
            zygote.process.wait()
        with pytest.raises(SandboxLost, match="zygote"):
            running.call("probe", "whoami", (), timeout=10)
    with Sandbox(submission, preload=("numpy",), warm=True) as running:
        running.import_module("probe", timeout=10)
        assert call(running, "whoami")


def test_a_ready_zygote_leaves_no_folder_behind(submission):
    """Its files are imported once it is ready: a grader killed before ``close_all`` (the
    usual end of a batch's grader process) must leave nothing in the temporary folder."""
    from autograder.sandbox import warm

    warm.close_all()
    Sandbox(submission, warm=True).zygote()
    (zygote,) = warm.running()
    assert zygote.alive and not zygote.folder.exists()
    with Sandbox(submission, warm=True) as running:
        running.import_module("probe", timeout=10)
        assert call(running, "whoami")


def test_a_zygote_whose_grader_is_gone_at_once_leaves_no_folder(tmp_path):
    """Its grader killed right after starting it (a batch's grader at a timeout)."""
    import socket
    import subprocess

    from autograder.sandbox.inside import RUNTIME_FILES, ZYGOTE

    folder = tmp_path / "zygote"
    folder.mkdir()
    for name in (*RUNTIME_FILES, ZYGOTE):
        shutil.copy(inside.INSIDE_CODE / name, folder / name)
    ours, theirs = socket.socketpair()
    ours.close()  # the grader is gone before the zygote looks
    with theirs:
        command = [sys.executable, "-I", str(folder / ZYGOTE), str(theirs.fileno()), "numpy"]
        subprocess.run(command, pass_fds=(theirs.fileno(),), timeout=60, check=True)
    assert not folder.exists()


def test_a_zygote_outlives_the_thread_that_started_it(submission):
    """Grading lanes are threads: the zygote one of them started serves after it ends."""
    from autograder.sandbox import warm

    warm.close_all()
    first = threading.Thread(target=lambda: Sandbox(submission, warm=True).zygote())
    first.start()
    first.join()
    (zygote,) = warm.running()
    time.sleep(0.5)  # a parent-death signal tied to that thread would have fired by now
    with Sandbox(submission, warm=True) as running:
        running.import_module("probe", timeout=10)
        assert call(running, "whoami")
    assert zygote.alive and warm.running() == [zygote]


def test_a_zygote_that_dies_between_sandboxes_is_replaced_at_once(submission, monkeypatch):
    """Found alive, dead when asked to fork: the sandbox starts from a new zygote."""
    from autograder.sandbox import warm

    with Sandbox(submission, warm=True) as running:
        running.import_module("probe", timeout=10)
    (dying,) = [z for z in warm.running() if z.alive]
    os.kill(dying.process.pid, 9)
    real, asked = warm.Zygote.alive, []

    def alive_once_more(self):  # not yet seen dead when first asked
        asked.append(self)
        return len(asked) == 1 or real.fget(self)

    monkeypatch.setattr(warm.Zygote, "alive", property(alive_once_more))
    with Sandbox(submission, warm=True) as running:
        running.import_module("probe", timeout=10)
        assert call(running, "whoami")
    assert not dying.alive


@pytest.mark.parametrize("name", ["SIGKILL", "SIGTERM", "SIGSEGV"])
def test_the_guard_ends_as_its_worker_did_even_killed(name):
    """The permissions tier's guard passes a worker's end on: a SIGKILL (the kernel's OOM
    killer's) too, which cannot be given a handler (``signal.signal`` raises EINVAL)."""
    import subprocess

    number = int(getattr(signal, name))
    code = (
        "import os, sys\n"
        f"sys.path.insert(0, {str(inside.INSIDE_CODE)!r})\n"
        "import launcher\n"
        "child = os.fork()\n"
        f"if child == 0:\n    os.kill(os.getpid(), {number})\n"
        "launcher.exit_as(os.waitpid(child, 0)[1])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == -number and done.stderr == ""
