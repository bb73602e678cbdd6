"""Unpacking a submission: hostile folders and zips give a Submission or one SubmissionError.

Each known failure has an example test; the hypothesis tests generate folders and
zips from small pieces (odd names, links, pipes, devices, deep chains, lying
headers, broken archives) and check the one rule: ``prepare`` returns a folder
of plain ``.py`` files, or raises a one-line ``SubmissionError``, and finishes.
"""

import io
import os
import shutil
import socket
import stat
import struct
import tempfile
import threading
import warnings
import zipfile
import zlib
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.formats.manifest import current as current_assignment
from autograder.grading import submission
from autograder.grading.submission import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    Submission,
    SubmissionError,
    prepare,
)

LAB = current_assignment()

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FAST_DISK = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
"""Where the tests that make thousands of files and folders make them: tmpfs if there is one."""


def scratch_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="rnnlab-test-", dir=FAST_DISK)


@pytest.fixture
def fast_tmp():
    with scratch_dir() as scratch:
        yield Path(scratch)


# --- running prepare and checking what it gives ------------------------------------------


def run_prepare(path: Path, dest: Path, seconds: float = 20.0) -> Submission | SubmissionError:
    """``prepare`` in a thread, so a hang fails the test instead of stalling it."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(prepare(path, dest, LAB.modules))
        except BaseException as error:  # reported below, whatever it is
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"prepare({path}) still running after {seconds} s"
    (result,) = outcome
    if isinstance(result, BaseException) and not isinstance(result, SubmissionError):
        raise result  # anything else escaping is the bug
    return result  # type: ignore[return-value]


def one_line(message: str) -> bool:
    return bool(message.strip()) and len(message.splitlines()) == 1


def check(path: Path, scratch: Path) -> Submission | SubmissionError:
    """The rule every submission obeys, whatever it holds."""
    out = scratch / "out"
    out.mkdir()
    dest = out / "dest"
    result = run_prepare(path, dest)
    if isinstance(result, SubmissionError):
        assert one_line(str(result)), repr(str(result))
        assert os.listdir(out) == []  # refused before writing anything
        return result
    assert result.folder == dest
    assert os.listdir(out) == ["dest"]  # nothing written beside it
    total = 0
    for entry in os.scandir(dest):
        mode = os.lstat(entry.path).st_mode
        assert stat.S_ISREG(mode), entry.name  # no links, no folders, no pipes
        assert entry.name.endswith(".py") and entry.name[:-3].isidentifier(), entry.name
        size = os.lstat(entry.path).st_size
        assert size <= MAX_FILE_BYTES
        total += size
    assert total <= MAX_TOTAL_BYTES
    assert set(result.problems) <= set(LAB.modules)
    for module in LAB.modules:
        assert module in result.problems or (dest / f"{module}.py").is_file()
        assert one_line(result.problems.get(module, "fine"))
    return result


def good_modules(prefix: str = "") -> dict[str, bytes]:
    return {f"{prefix}{module}.py": f"NAME = {module!r}\n".encode() for module in LAB.modules}


def write_tree(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


# --- zips: building, and patching the headers zipfile will not write ----------------------


def zip_bytes(members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are on purpose
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return buffer.getvalue()


def patch_member(
    data: bytes,
    index: int,
    *,
    flags: int = 0,
    method: int | None = None,
    file_size: int | None = None,
    crc: int | None = None,
    name_byte: int | None = None,
) -> bytes:
    """Rewrite the ``index``-th member's fields, in its central and its local header."""
    data = bytearray(data)
    # The end record is the last 22 bytes of a zip with no comment.
    *_, cd_offset, _comment_length = struct.unpack("<4s4H2LH", data[-22:])
    position = cd_offset
    for _ in range(index):
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, position + 28)
        position += 46 + name_len + extra_len + comment_len
    local = struct.unpack_from("<L", data, position + 42)[0]
    # (offset in the central header, offset in the local header, format)
    for value, central, local_at, form in (
        (method, 10, 8, "<H"),
        (crc, 16, 14, "<L"),
        (file_size, 24, 22, "<L"),
    ):
        if value is not None:
            struct.pack_into(form, data, position + central, value)
            struct.pack_into(form, data, local + local_at, value)
    for at in (position + 8, local + 6):
        struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | flags)
    if name_byte is not None:  # the name's first byte, in both headers
        data[position + 46] = name_byte
        data[local + 30] = name_byte
    return bytes(data)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- 1. "./" entries --------------------------------------------------------------------


def test_dot_slash_entries_are_normalised(tmp_path):
    members = [("./", b""), *(("./" + n, d) for n, d in good_modules().items())]
    zipped = write(tmp_path / "s.zip", zip_bytes(members))
    result = check(zipped, tmp_path)
    assert isinstance(result, Submission) and result.problems == {}
    assert (result.folder / "vocab.py").read_bytes() == b"NAME = 'vocab'\n"


def test_backslashes_are_folders_and_drive_letters_are_refused(tmp_path):
    zipped = write(tmp_path / "s.zip", zip_bytes([*good_modules("lab\\").items()]))
    result = check(zipped, tmp_path)
    assert isinstance(result, Submission) and result.problems == {}
    for name in ["..\\evil.py", "lab\\..\\..\\evil.py", "C:evil.py", "C:\\evil.py"]:
        zipped = write(tmp_path / "s.zip", zip_bytes([*good_modules().items(), (name, b"x")]))
        with pytest.raises(SubmissionError, match="unsafe path"):
            prepare(zipped, tmp_path / "never", LAB.modules)


# --- 2. virtual environments and other folders not to walk ---------------------------------


@pytest.mark.parametrize(
    "venv", ["venv", ".venv", "site-packages", "node_modules", "__pycache__", "myenv"]
)
def test_a_virtual_environment_beside_the_modules_is_not_walked(tmp_path, fast_tmp, venv):
    folder = write_tree(fast_tmp / "sub", good_modules())
    packages = folder / venv / "lib" / "python3.11" / "site-packages"
    write_tree(packages, {f"pkg/m{i}.py": b"" for i in range(MAX_FILES + 50)})
    write_tree(packages, good_modules())  # more modules in there than at the top: not picked
    (folder / venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (packages / "vocab.py").write_bytes(b"WRONG = 1\n")
    result = check(folder, tmp_path)
    assert isinstance(result, Submission) and result.problems == {}
    assert (result.folder / "vocab.py").read_bytes() == b"NAME = 'vocab'\n"


@pytest.mark.parametrize(
    "marker", ["env/pyvenv.cfg", "env/conda-meta/history", ".venv/x", "venv/x", "__MACOSX/x"]
)
def test_a_virtual_environment_in_a_zip_is_not_looked_in(tmp_path, marker):
    venv = marker.split("/")[0]
    members = [(marker, b""), *good_modules(f"{venv}/lib/").items(), ("vocab.py", b"TOP = 1\n")]
    result = check(write(tmp_path / "s.zip", zip_bytes(members)), tmp_path)
    assert isinstance(result, Submission)
    assert (result.folder / "vocab.py").read_bytes() == b"TOP = 1\n"
    assert set(result.problems) == set(LAB.modules) - {"vocab"}


def test_modules_one_folder_down_are_found(tmp_path):
    folder = write_tree(tmp_path / "sub", {**good_modules("lab/"), "lab/lab.ipynb": b"{}"})
    write_tree(folder, {"README.md": b"hi", "other/vocab.py": b"ONE = 1\n"})
    result = check(folder, tmp_path)
    assert isinstance(result, Submission) and result.problems == {}
    assert (result.folder / "vocab.py").read_bytes() == b"NAME = 'vocab'\n"


def test_too_many_files_where_the_modules_are_looked_for_is_refused(tmp_path, fast_tmp):
    folder = write_tree(fast_tmp / "sub", good_modules())
    write_tree(folder, {f"data/{i}.txt": b"" for i in range(MAX_FILES)})
    with pytest.raises(SubmissionError, match=f"more than {MAX_FILES} files") as error:
        prepare(folder, tmp_path / "dest", LAB.modules)
    assert one_line(str(error.value))


# --- 3. size limits in folders ------------------------------------------------------------


def sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        file.truncate(size)


def test_a_large_python_file_in_a_folder_is_refused_not_cut(tmp_path):
    folder = write_tree(tmp_path / "sub", good_modules())
    sparse(folder / "rnn.py", MAX_FILE_BYTES + 1)
    with pytest.raises(SubmissionError, match=r"rnn\.py in sub is larger than the 5 MB") as error:
        prepare(folder, tmp_path / "dest", LAB.modules)
    assert one_line(str(error.value))
    assert not (tmp_path / "dest").exists()


def test_a_file_of_exactly_the_limit_is_fine(tmp_path):
    folder = write_tree(tmp_path / "sub", good_modules())
    sparse(folder / "helper.py", MAX_FILE_BYTES)
    result = check(folder, tmp_path)
    assert isinstance(result, Submission)
    assert (result.folder / "helper.py").stat().st_size == MAX_FILE_BYTES


def test_the_total_limit_holds_for_folders_too(tmp_path):
    folder = write_tree(tmp_path / "sub", good_modules())
    for i in range(MAX_TOTAL_BYTES // MAX_FILE_BYTES + 1):
        sparse(folder / f"big{i}.py", MAX_FILE_BYTES)
    with pytest.raises(SubmissionError, match="50 MB limit in all"):
        prepare(folder, tmp_path / "dest", LAB.modules)


def test_a_large_member_in_a_zip_is_refused(tmp_path):
    members = [*good_modules().items(), ("rnn.py", b"\0" * (MAX_FILE_BYTES + 1))]
    zipped = write(tmp_path / "s.zip", zip_bytes(members))
    with pytest.raises(SubmissionError, match=r"rnn\.py in s\.zip is larger than the 5 MB"):
        prepare(zipped, tmp_path / "dest", LAB.modules)


# --- 4. deep folders ----------------------------------------------------------------------


def make_chain(top: Path, depth: int, bottom: bytes) -> None:
    """``top/d/d/.../d/vocab.py``, ``depth`` folders down, without ever naming the whole path."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        module = os.open("vocab.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(module, bottom)
        os.close(module)
    finally:
        os.close(fd)


def remove_chain(top: Path) -> None:
    """Undo ``make_chain`` bottom up: shutil.rmtree recurses, and would hit the limit."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    depth = 0
    while True:
        try:
            child = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        except FileNotFoundError:
            break
        os.close(fd)
        fd, depth = child, depth + 1
    for name in os.listdir(fd):
        os.unlink(name, dir_fd=fd)
    for _ in range(depth):
        parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = parent
        os.rmdir("d", dir_fd=fd)
    os.close(fd)


@pytest.fixture
def chain_top():
    with scratch_dir() as scratch:
        top = Path(scratch) / "sub"
        top.mkdir()
        try:
            yield top
        finally:
            remove_chain(top)  # before TemporaryDirectory's own rmtree


def test_a_chain_thousands_of_folders_deep_is_cut_at_the_depth_limit(tmp_path, chain_top):
    write_tree(chain_top, {n: d for n, d in good_modules().items() if n != "vocab.py"})
    make_chain(chain_top, 3000, b"DEEP = 1\n")
    result = check(chain_top, tmp_path)
    assert isinstance(result, Submission)
    assert "missing" in result.problems["vocab"]  # the one at the bottom is past the limit
    assert set(result.problems) == {"vocab"}


@pytest.mark.parametrize("depth, found", [(MAX_DEPTH, True), (MAX_DEPTH + 1, False)])
def test_modules_are_looked_for_down_to_the_depth_limit(tmp_path, chain_top, depth, found):
    make_chain(chain_top, depth, b"DEEP = 1\n")
    result = check(chain_top, tmp_path)
    assert isinstance(result, Submission)
    assert ("vocab" not in result.problems) is found


# --- 5. encrypted members, unsupported compression ---------------------------------------


def test_an_encrypted_member_is_refused_clearly(tmp_path):
    data = zip_bytes([*good_modules().items()])
    index = list(good_modules()).index("vocab.py")
    zipped = write(tmp_path / "s.zip", patch_member(data, index, flags=0x1))
    with pytest.raises(SubmissionError, match=r"^vocab\.py in s\.zip is encrypted"):
        prepare(zipped, tmp_path / "dest", LAB.modules)


@pytest.mark.parametrize(
    "method, name",
    [(9, "deflate64"), (12, "bzip2"), (14, "lzma"), (93, "zstandard"), (77, "method 77")],
)
def test_an_unsupported_compression_method_is_refused_clearly(tmp_path, method, name):
    data = zip_bytes([*good_modules().items()])
    index = list(good_modules()).index("vocab.py")
    zipped = write(tmp_path / "s.zip", patch_member(data, index, method=method))
    with pytest.raises(SubmissionError) as error:
        prepare(zipped, tmp_path / "dest", LAB.modules)
    assert str(error.value) == (
        f"vocab.py in s.zip uses an unsupported compression method ({name}): "
        "re-zip it with the standard 'deflate'"
    )


def test_a_real_bzip2_member_is_refused_too(tmp_path):
    # bz2 and lzma decompress without a bound on the output in zipfile: a bomb risk.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        for name, data in good_modules().items():
            archive.writestr(name, data)
    zipped = write(tmp_path / "s.zip", buffer.getvalue())
    with pytest.raises(SubmissionError, match=r"unsupported compression method \(bzip2\)"):
        prepare(zipped, tmp_path / "dest", LAB.modules)


# --- 6. pipes, links, devices ---------------------------------------------------------


def test_a_pipe_a_link_a_socket_or_a_device_is_not_a_regular_file(tmp_path):
    folder = write_tree(tmp_path / "sub", good_modules())
    for name in ["vocab.py", "labels.py", "splits.py", "padding.py"]:
        (folder / name).unlink()
    os.mkfifo(folder / "vocab.py")
    (folder / "labels.py").symlink_to(tmp_path / "elsewhere.py")
    (tmp_path / "elsewhere.py").write_bytes(b"X = 1\n")
    with socket.socket(socket.AF_UNIX) as server:
        try:
            server.bind(str(folder / "splits.py"))
        except OSError:  # the path is too long for a socket: write a pipe instead
            os.mkfifo(folder / "splits.py")
    if ROOT_USER:
        os.mknod(folder / "padding.py", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero
    else:
        os.mkfifo(folder / "padding.py")
    result = check(folder, tmp_path)
    assert isinstance(result, Submission)
    assert result.problems == {
        module: f"{module}.py is not a regular file"
        for module in ["vocab", "labels", "padding", "splits"]
    }


def test_links_to_folders_and_link_loops_are_not_followed(tmp_path):
    folder = write_tree(tmp_path / "sub", {})
    (folder / "loop").symlink_to("loop")
    (folder / "up").symlink_to("..")
    (folder / "root").symlink_to("/")
    (folder / "dangling.py").symlink_to("nowhere.py")
    write_tree(tmp_path, good_modules())  # reachable through "up" only
    result = check(folder, tmp_path)
    assert isinstance(result, Submission) and set(result.problems) == set(LAB.modules)
    assert os.listdir(result.folder) == []


# --- 7. zip headers that lie about sizes ---------------------------------------------------


def test_a_member_bigger_than_its_header_says_is_read_with_a_cap(tmp_path):
    members = [*good_modules().items(), ("helper.py", b"x" * (MAX_FILE_BYTES * 2))]
    data = zip_bytes(members)
    index = len(members) - 1
    lying = patch_member(data, index, file_size=100)  # the CRC now gives it away
    result = check(write(tmp_path / "s.zip", lying), tmp_path)
    assert isinstance(result, SubmissionError) and "broken zip" in str(result)
    # With a CRC that matches the first 100 bytes, zipfile stops at the declared size.
    consistent = patch_member(data, index, file_size=100, crc=zlib.crc32(b"x" * 100))
    shutil.rmtree(tmp_path / "out")
    result = check(write(tmp_path / "s.zip", consistent), tmp_path)
    assert isinstance(result, Submission)
    assert (result.folder / "helper.py").read_bytes() == b"x" * 100


def test_a_member_that_says_it_is_too_big_is_refused_before_reading(tmp_path):
    data = zip_bytes([*good_modules().items()])
    zipped = write(tmp_path / "s.zip", patch_member(data, 0, file_size=MAX_FILE_BYTES + 1))
    with pytest.raises(SubmissionError, match="larger than the 5 MB limit"):
        prepare(zipped, tmp_path / "dest", LAB.modules)


# --- 8. odd names, junk, broken archives ---------------------------------------------------


def test_odd_file_names_in_a_folder_are_skipped_or_used_safely(tmp_path):
    folder = write_tree(tmp_path / "sub", good_modules())
    odd = [b"\xff\xfe.py", b"a b.py", b"x\ny.py", "caf\u00e9.py".encode(), b"a" * 252 + b".py"]
    for name in odd:
        (folder / os.fsdecode(name)).write_bytes(b"X = 1\n")
    inner = folder / os.fsdecode(b"\xffdir")  # a non-UTF-8 folder holding the modules
    write_tree(inner, good_modules())
    result = check(folder, tmp_path)
    assert isinstance(result, Submission) and result.problems == {}
    assert sorted(os.listdir(result.folder)) == sorted(
        [*good_modules(), "caf\u00e9.py", "a" * 252 + ".py"]
    )


def test_odd_member_names_in_a_zip_are_skipped_or_used_safely(tmp_path):
    odd = ["a b.py", "x\ny.py", "\u2028.py", "a" * 300 + ".py", "lab/" + "b" * 300 + ".py"]
    members = [*good_modules().items(), *((name, b"X = 1\n") for name in odd)]
    result = check(write(tmp_path / "s.zip", zip_bytes(members)), tmp_path)
    assert isinstance(result, Submission) and result.problems == {}
    assert sorted(os.listdir(result.folder)) == sorted(good_modules())


def test_a_member_name_that_is_not_utf8_is_a_broken_zip(tmp_path):
    members = [*good_modules().items(), ("\u00e9.py", b"X = 1\n")]  # stored with the UTF-8 flag
    data = patch_member(zip_bytes(members), len(members) - 1, name_byte=0xFF)
    result = check(write(tmp_path / "s.zip", data), tmp_path)
    assert isinstance(result, SubmissionError) and "broken zip" in str(result)


@pytest.mark.parametrize(
    "junk, words",
    [
        (bytes(range(256)) * 4, "neither a folder nor a zip"),
        (b"", "neither a folder nor a zip"),
        (b"PK\x05\x06" + b"\xff" * 18, "broken zip"),
        ("truncated", "broken zip"),
    ],
)
def test_junk_handed_in_as_a_zip_is_refused(tmp_path, junk, words):
    if junk == "truncated":
        junk = zip_bytes([*good_modules().items()])[:-30]
    result = check(write(tmp_path / "s.zip", junk), tmp_path)
    assert isinstance(result, SubmissionError) and words in str(result)


def test_a_pipe_handed_in_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "s.zip")
    result = check(tmp_path / "s.zip", tmp_path)
    assert isinstance(result, SubmissionError) and "neither a folder nor a zip" in str(result)


def test_a_path_that_is_missing_or_loops_is_refused(tmp_path):
    (tmp_path / "loop").symlink_to("loop")
    for name, words in [("missing", "does not exist"), ("loop", "cannot be read")]:
        with pytest.raises(SubmissionError, match=words) as error:
            prepare(tmp_path / name, tmp_path / "dest", LAB.modules)
        assert one_line(str(error.value))


def test_a_zip_too_big_to_be_a_submission_is_refused_unread(tmp_path):
    sparse(tmp_path / "s.zip", 2 * MAX_TOTAL_BYTES + 1)
    with pytest.raises(SubmissionError, match="larger than the 100 MB limit for a zip"):
        prepare(tmp_path / "s.zip", tmp_path / "dest", LAB.modules)


def test_a_central_directory_of_too_many_entries_is_refused_before_parsing(tmp_path):
    # 30,000 one-letter central entries: zipfile would make an object of each.
    # Signature, versions, then flags to sizes zero, a one-byte name, the rest zero.
    entry = struct.pack("<4s6H3L5HLL", b"PK\x01\x02", 20, 20, *[0] * 7, 1, *[0] * 6) + b"a"
    entries = 30_000
    directory = entry * entries
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, len(directory), 0, 0)
    with pytest.raises(SubmissionError, match=f"more than {MAX_FILES} entries"):
        prepare(write(tmp_path / "s.zip", directory + end), tmp_path / "dest", LAB.modules)


def test_duplicate_module_names_in_a_zip_are_refused(tmp_path):
    members = [*good_modules().items(), ("./vocab.py", b"OTHER = 1\n")]
    result = check(write(tmp_path / "s.zip", zip_bytes(members)), tmp_path)
    assert isinstance(result, SubmissionError) and "vocab.py twice" in str(result)


# --- 9. zips inside zips, notebooks alone -------------------------------------------------


def test_a_zip_inside_the_zip_is_not_unpacked(tmp_path):
    inner = zip_bytes([*good_modules().items()])
    result = check(write(tmp_path / "s.zip", zip_bytes([("inner.zip", inner)])), tmp_path)
    assert isinstance(result, Submission) and set(result.problems) == set(LAB.modules)
    assert os.listdir(result.folder) == []


def test_a_notebook_alone_is_all_missing(tmp_path):
    result = check(write(tmp_path / "s.zip", zip_bytes([("lab.ipynb", b"{}")])), tmp_path)
    assert isinstance(result, Submission)
    assert result.problems == {m: f"{m}.py is missing from the submission" for m in LAB.modules}


# --- fuzzing: folders ---------------------------------------------------------------------

MODULE_NAMES = [f"{module}.py" for module in LAB.modules]
FOLDER_NAMES = [
    *MODULE_NAMES,
    "lab",
    "venv",
    ".venv",
    "site-packages",
    "node_modules",
    "__pycache__",
    "__MACOSX",
    ".git",
    ".hidden.py",
    "pyvenv.cfg",
    "a b.py",
    "x\ny.py",
    "caf\u00e9.py",
    "\u2028.py",
    "vocab (1).py",
    "VOCAB.PY",
    "vocab.py.py",
    "__init__.py",
    "a" * 252 + ".py",
    "\u00e9" * 127 + ".py",  # 257 bytes: the file system refuses it
]
text_names = st.text(
    st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=12,
).filter(lambda name: name not in (".", ".."))
byte_names = (
    st.binary(min_size=1, max_size=12)
    .filter(lambda name: b"/" not in name and b"\0" not in name and name not in (b".", b".."))
    .map(os.fsdecode)  # not UTF-8: surrogate escapes
)
names = st.one_of(
    st.sampled_from(FOLDER_NAMES),
    text_names,
    byte_names,
    text_names.map(lambda name: name + ".py"),
)
contents = st.one_of(
    st.sampled_from([b"X = 1\n", b"def f(:\n", "# caf\u00e9\n".encode("latin-1"), b""]),
    st.binary(max_size=64),
)
FUZZ_MAX_FILES = 200
"""The file-count limit while fuzzing: cheaper to go past than the real one."""
LINK_TARGETS = [
    "vocab.py",
    ".",
    "..",
    "/",
    "/etc/passwd",
    "/dev/zero",
    "nowhere",
    "../..",
    "lab/vocab.py",
    "SELF",
]
specials = st.one_of(
    st.tuples(st.just("link"), st.sampled_from(LINK_TARGETS)),
    st.tuples(st.just("fifo")),
    st.tuples(st.just("device"), st.sampled_from([3, 5])),
    st.tuples(st.just("socket")),
    st.tuples(st.just("sparse"), st.sampled_from([MAX_FILE_BYTES, MAX_FILE_BYTES + 1])),
    st.tuples(st.just("many"), st.sampled_from([3, FUZZ_MAX_FILES + 1])),
    st.tuples(st.just("venv")),
    st.tuples(st.just("chain"), st.integers(1, MAX_DEPTH + 3)),
    st.tuples(st.just("modules")),
)
trees = st.recursive(
    st.one_of(contents, specials),
    lambda children: st.dictionaries(names, children, max_size=4),
    max_leaves=12,
)
folders = st.dictionaries(names, trees, max_size=6)


def make(path: Path, node: object) -> None:
    """Create one generated node at ``path`` (recursion is fine: the trees are shallow)."""
    if isinstance(node, bytes):
        path.write_bytes(node)
    elif isinstance(node, dict):
        path.mkdir()
        build(path, node)
    elif node[0] == "link":
        path.symlink_to(path.name if node[1] == "SELF" else node[1])
    elif node[0] == "fifo":
        os.mkfifo(path)
    elif node[0] == "device" and ROOT_USER:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, node[1]))
    elif node[0] in ("device", "socket"):
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(os.fsencode(path))
    elif node[0] == "sparse":
        sparse(path, node[1])
    elif node[0] == "many":
        write_tree(path, {f"m{i}.py": b"" for i in range(node[1])})
    elif node[0] == "venv":
        write_tree(path, {"pyvenv.cfg": b"home = /usr\n", **good_modules("lib/site-packages/")})
    elif node[0] == "chain":
        write_tree(path, {"/".join(["d"] * node[1]) + "/vocab.py": b"DEEP = 1\n"})
    else:
        write_tree(path, good_modules())


def build(folder: Path, tree: dict) -> None:
    for name, node in tree.items():
        try:
            make(folder / name, node)
        except (OSError, UnicodeEncodeError, ValueError):
            pass  # the file system refused that name (too long, unencodable): leave it out


@FUZZ
@given(tree=folders)
def test_any_folder_gives_plain_modules_or_one_clear_error(tree):
    with (
        mock.patch.object(submission, "MAX_FILES", FUZZ_MAX_FILES),
        scratch_dir() as scratch,
    ):
        folder = Path(scratch) / "sub"
        folder.mkdir()
        build(folder, tree)
        check(folder, Path(scratch))


# --- fuzzing: zips ------------------------------------------------------------------------

PREFIXES = [
    *[""] * 4,
    "./",
    "lab/",
    "lab\\",
    "a/./",
    "a//",
    "../",
    "/",
    "\\",
    "C:",
    "C:\\",
    "__MACOSX/",
    ".venv/lib/",
    "venv/",
    "env/",
    "x/y/z/w/v/u/",
    "lab/./../",
]
BASES = [
    *MODULE_NAMES,
    "",
    ".",
    "..",
    "notes.txt",
    "lab.ipynb",
    "inner.zip",
    "pyvenv.cfg",
    "caf\u00e9.py",
    "a b.py",
    "x\ny.py",
    "a" * 300 + ".py",
    "vocab.py/",
    "\u2028.py",
]
member_names = st.one_of(
    st.builds(str.__add__, st.sampled_from(PREFIXES), st.sampled_from(BASES)),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=16),
    text_names.map(lambda name: name + ".py"),
)
INNER_ZIP = zip_bytes([*good_modules().items()])
member_data = st.one_of(
    *[contents] * 4,  # one_of has no weights: repeat what should come up most
    st.just(INNER_ZIP),
    st.just(b"\0" * (MAX_FILE_BYTES + 1)),
)
# What to do to a member after writing it: header fields zipfile would not write.
tweaks = st.one_of(
    st.just({"kind": "dir"}),
    st.just({"kind": "link"}),
    st.builds(dict, flags=st.sampled_from([0x1, 0x41, 0x20, 0x800, 0x8])),
    st.builds(dict, method=st.sampled_from([1, 6, 9, 12, 14, 93, 98, 99, 255])),
    st.builds(dict, file_size=st.sampled_from([0, 1, 100, MAX_FILE_BYTES + 1, 0xFFFFFFFF])),
    st.builds(dict, crc=st.integers(0, 0xFFFFFFFF)),
    st.builds(dict, name_byte=st.sampled_from([0xFF, 0x2F, 0x5C, 0x00, 0x2E])),
)
members = st.lists(
    st.tuples(
        member_names,
        st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
        member_data,
        st.one_of(st.just({}), st.just({}), tweaks),
    ),
    max_size=4,
)
# Mostly sound graded modules, so the tweaks of one are what the zip is judged on.
graded_tweaks = st.none() | st.lists(
    st.one_of(*[st.just({})] * 8, tweaks), min_size=len(LAB.modules), max_size=len(LAB.modules)
)
# What to do to the whole archive: cut it, pad it, flip a byte.
damage = st.one_of(
    *[st.just(("none",))] * 4,
    st.tuples(st.just("cut"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
    st.tuples(st.just("prefix"), st.binary(max_size=16)),
    st.tuples(st.just("suffix"), st.binary(max_size=16)),
    st.just(("many",)),
)


def make_zip(spec: list, modules: list[dict] | None, harm: tuple) -> bytes:
    """A zip of ``spec`` (after the graded modules, each with its tweak, unless None)."""
    if modules is not None:
        graded = zip(good_modules().items(), modules, strict=True)
        spec = [(name, zipfile.ZIP_DEFLATED, data, tweak) for (name, data), tweak in graded] + spec
    written: list[tuple[str | zipfile.ZipInfo, bytes]] = []
    patches: list[dict] = []
    for name, method, data, tweak in spec:
        info = zipfile.ZipInfo(name or "x")
        info.compress_type = method
        if tweak.get("kind") == "dir":
            info.filename = info.filename.rstrip("/") + "/"
            info.external_attr = (stat.S_IFDIR | 0o755) << 16
        elif tweak.get("kind") == "link":
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        written.append((info, data))
        patches.append({k: v for k, v in tweak.items() if k != "kind"})
    if harm[0] == "many":
        written += [(f"m{i}.txt", b"") for i in range(FUZZ_MAX_FILES + 1)]
    data = zip_bytes(written)
    for index, patch in enumerate(patches):
        if patch:
            data = patch_member(data, index, **patch)
    if harm[0] == "cut":
        data = data[: int(len(data) * harm[1])]
    elif harm[0] == "flip" and data:
        at = min(int(len(data) * harm[1]), len(data) - 1)
        data = data[:at] + bytes([data[at] ^ harm[2]]) + data[at + 1 :]
    elif harm[0] == "prefix":
        data = harm[1] + data
    elif harm[0] == "suffix":
        data = data + harm[1]
    return data


@settings(FUZZ, max_examples=150)
@given(
    spec=members,
    modules=graded_tweaks,
    harm=damage,
)
def test_any_zip_gives_plain_modules_or_one_clear_error(spec, modules, harm):
    data = make_zip(spec, modules, harm)
    with (
        mock.patch.object(submission, "MAX_FILES", FUZZ_MAX_FILES),
        scratch_dir() as scratch,
    ):
        check(write(Path(scratch) / "s.zip", data), Path(scratch))


@FUZZ
@given(
    head=st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06", b"PK\x01\x02", b"PK"]),
    body=st.binary(max_size=300),
    tail=st.sampled_from([b"", b"PK\x05\x06" + bytes(18), b"PK\x05\x06" + b"\xff" * 18]),
)
def test_random_bytes_as_a_zip_are_refused_or_empty(head, body, tail):
    with scratch_dir() as scratch:
        check(write(Path(scratch) / "s.zip", head + body + tail), Path(scratch))


@settings(FUZZ, max_examples=150)
@given(
    index=st.integers(0, len(LAB.modules) - 1),
    tweak=tweaks,
    method=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
)
def test_one_lying_header_among_sound_modules(index, tweak, method):
    # The chaos above often stops at its first refusal: here every tweak gets its turn.
    spec = [(name, method, data, {}) for name, data in good_modules().items()]
    name, method, data, _ = spec[index]
    spec[index] = (name, method, data, tweak)
    with scratch_dir() as scratch:
        check(write(Path(scratch) / "s.zip", make_zip(spec, None, ("none",))), Path(scratch))


def test_a_large_notebook_beside_the_modules_is_fine(tmp_path):
    """Only Python files are read: an export whose notebook holds many plots still grades."""
    members = [*good_modules().items(), ("lab.ipynb", b"{}" + b" " * (MAX_TOTAL_BYTES + 1))]
    zipped = write(tmp_path / "s.zip", zip_bytes(members))
    submission = prepare(zipped, tmp_path / "dest", LAB.modules)
    assert submission.problems == {}
