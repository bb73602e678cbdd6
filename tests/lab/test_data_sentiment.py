"""Tests for data.sentiment: fetching, verifying, locating and reading the data set.

Everything runs on small files made in tmp_path, served by file:// URLs or a local HTTP
server; nothing goes to the internet. The last test uses the real data set if a copy
is found beside the repo (or in $RNNLAB_SHARED_DATA) and is skipped otherwise.
"""

import functools
import gzip
import hashlib
import http.server
import os
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from data import sentiment
from data.sentiment import DataError, fetch, locate, read_texts

REVIEWS = b"bromwell high is a cartoon comedy .\nthis movie is terrible but it has good effects .\n"
LABELS = b"positive\nnegative\n"
TAMPERED = b"tampered\n"
REFUSED = "http://127.0.0.1:9/"  # nothing listens on the discard port: refused at once


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


CHECKSUMS = {"reviews.txt": sha(REVIEWS), "labels.txt": sha(LABELS)}


def make_mirror(folder: Path, reviews: bytes = REVIEWS, labels: bytes = LABELS) -> str:
    """Write the two files into ``folder`` and return its file:// base URL."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reviews.txt").write_bytes(reviews)
    (folder / "labels.txt").write_bytes(labels)
    return folder.as_uri() + "/"


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def assert_one_line(exc: pytest.ExceptionInfo[DataError]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message and "\r" not in message
    return message


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep loopback requests away from any proxy configured in the environment."""
    monkeypatch.setenv("no_proxy", "*")


# --- constants -----------------------------------------------------------------------


def test_constants_describe_the_two_files_and_mirrors() -> None:
    # The sha256 of each uncompressed file, as the data's SOURCE.md records them.
    assert sentiment.FILES == {
        "reviews.txt": "d7c2f21e5c8f5240859910ba5331b9baa88310aa978dbd8747ebd4ff6ebbefa6",
        "labels.txt": "301d18424e95957a000293f5d8393239451d7f54622a8f21613172aebe64ca06",
    }
    assert len(sentiment.MIRRORS) == 2
    assert all(m.startswith("https://") and m.endswith("/") for m in sentiment.MIRRORS)


def test_default_dir_honours_rnnlab_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RNNLAB_DATA", str(tmp_path / "mine"))
    assert sentiment.default_dir() == tmp_path / "mine"
    monkeypatch.delenv("RNNLAB_DATA")
    assert sentiment.default_dir() == Path.home() / ".cache" / "rnnlab" / "sentiment"


# --- fetch from mirrors ----------------------------------------------------------------


def test_fetch_from_file_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment, "CHUNK_SIZE", 16)  # several chunks per file
    mirror = make_mirror(tmp_path / "mirror")
    dest = tmp_path / "new" / "nested" / "dest"
    calls: list[tuple[str, int, int | None]] = []

    paths = fetch(dest, mirrors=[mirror], checksums=CHECKSUMS, progress=lambda *a: calls.append(a))

    assert paths == {"reviews.txt": dest / "reviews.txt", "labels.txt": dest / "labels.txt"}
    assert (dest / "reviews.txt").read_bytes() == REVIEWS
    assert (dest / "labels.txt").read_bytes() == LABELS
    assert listing(dest) == ["labels.txt", "reviews.txt"]  # no temporary files left
    reviews_calls = [c for c in calls if c[0] == "reviews.txt"]
    assert len(reviews_calls) > 2
    assert reviews_calls[0] == ("reviews.txt", 0, len(REVIEWS))
    assert reviews_calls[-1] == ("reviews.txt", len(REVIEWS), len(REVIEWS))
    done = [c[1] for c in reviews_calls]
    assert done == sorted(done)
    assert ("labels.txt", len(LABELS), len(LABELS)) in calls


@pytest.mark.parametrize("first", ["missing", "wrong content", "refused"])
def test_fetch_falls_back_to_next_mirror(tmp_path: Path, first: str) -> None:
    if first == "missing":
        bad = (tmp_path / "nowhere").as_uri() + "/"
    elif first == "wrong content":
        bad = make_mirror(tmp_path / "bad", reviews=TAMPERED, labels=b"neutral\n")
    else:
        bad = REFUSED
    good = make_mirror(tmp_path / "good")
    dest = tmp_path / "dest"

    fetch(dest, mirrors=[bad, good], checksums=CHECKSUMS)

    assert (dest / "reviews.txt").read_bytes() == REVIEWS
    assert (dest / "labels.txt").read_bytes() == LABELS
    assert listing(dest) == ["labels.txt", "reviews.txt"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_fetch_over_http_skips_a_404_mirror(tmp_path: Path) -> None:
    make_mirror(tmp_path / "site" / "good")
    (tmp_path / "site" / "empty").mkdir()
    handler = functools.partial(_QuietHandler, directory=str(tmp_path / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        calls: list[tuple[str, int, int | None]] = []
        with pytest.raises(DataError) as exc:
            fetch(tmp_path / "d1", mirrors=[base + "empty/"], checksums=CHECKSUMS)
        message = assert_one_line(exc)
        assert "reviews.txt" in message and "HTTP 404" in message
        assert "network is unreachable" not in message

        fetch(
            tmp_path / "d2",
            mirrors=[base + "empty/", base + "good/"],
            checksums=CHECKSUMS,
            progress=lambda *a: calls.append(a),
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert (tmp_path / "d2" / "reviews.txt").read_bytes() == REVIEWS
    assert calls[-1] == ("labels.txt", len(LABELS), len(LABELS))  # Content-Length seen


def test_fetch_offline_refused(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    with pytest.raises(DataError) as exc:
        fetch(dest, mirrors=[REFUSED, REFUSED], checksums=CHECKSUMS, timeout=5)
    message = assert_one_line(exc)
    assert "reviews.txt" in message
    assert "network is unreachable" in message
    assert "rnnlab data fetch --from DIR" in message
    assert listing(dest) == []
    assert not dest.exists()  # a folder fetch created is removed again when empty


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (
            urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")),
            "name resolution",
        ),
        (urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")), "refused"),
        (urllib.error.URLError(TimeoutError("timed out")), "timed out after 7 s"),
        (TimeoutError("The read operation timed out"), "timed out after 7 s"),
    ],
    ids=["dns", "refused", "connect-timeout", "read-timeout"],
)
def test_fetch_offline_urlopen_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, words: str
) -> None:
    tried: list[str] = []

    def offline(url: str, timeout: float) -> None:
        tried.append(url)
        assert timeout == 7
        raise error

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(DataError) as exc:
        fetch(dest, checksums=CHECKSUMS, timeout=7)
    message = assert_one_line(exc)
    assert "cannot download reviews.txt: the network is unreachable" in message
    assert words in message
    assert tried == [m + "reviews.txt" for m in sentiment.MIRRORS]  # all mirrors, in order
    assert listing(dest) == []  # dest existed before, so it stays, empty


def test_fetch_checksum_mismatch_writes_nothing(tmp_path: Path) -> None:
    bad = make_mirror(tmp_path / "bad", reviews=TAMPERED)
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "labels.txt").write_bytes(LABELS)  # a good copy already there
    os.utime(dest / "labels.txt", ns=(1_000_000_000, 1_000_000_000))
    checksums = {"labels.txt": CHECKSUMS["labels.txt"], "reviews.txt": CHECKSUMS["reviews.txt"]}

    with pytest.raises(DataError) as exc:
        fetch(dest, mirrors=[bad], checksums=checksums)

    message = assert_one_line(exc)
    assert "reviews.txt" in message and "checksum mismatch" in message
    assert f"expected sha256 {sha(REVIEWS)[:12]}" in message
    assert f"got {sha(TAMPERED)[:12]}" in message
    assert listing(dest) == ["labels.txt"]
    assert (dest / "labels.txt").read_bytes() == LABELS
    assert (dest / "labels.txt").stat().st_mtime_ns == 1_000_000_000


def test_fetch_replaces_a_wrong_file_only_with_a_verified_copy(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "reviews.txt").write_bytes(b"old, damaged\n")
    bad = make_mirror(tmp_path / "bad", reviews=TAMPERED)

    with pytest.raises(DataError, match="checksum mismatch"):
        fetch(dest, mirrors=[bad], checksums=CHECKSUMS)
    assert (dest / "reviews.txt").read_bytes() == b"old, damaged\n"
    assert listing(dest) == ["reviews.txt"]

    fetch(dest, mirrors=[bad, make_mirror(tmp_path / "good")], checksums=CHECKSUMS)
    assert (dest / "reviews.txt").read_bytes() == REVIEWS


def test_fetch_keeps_verified_files_without_downloading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "dest"
    make_mirror(dest)

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("fetch downloaded a file that was already verified")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    calls: list[object] = []
    paths = fetch(dest, checksums=CHECKSUMS, progress=lambda *a: calls.append(a))
    assert paths == {"reviews.txt": dest / "reviews.txt", "labels.txt": dest / "labels.txt"}
    assert calls == []


class _BrokenResponse:
    """A response that delivers some bytes, then the connection drops."""

    headers = {"Content-Length": str(len(REVIEWS))}

    def __init__(self) -> None:
        self.reads = 0

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        if self.reads == 1:
            return REVIEWS[:10]
        raise ConnectionResetError(104, "Connection reset by peer")

    def __enter__(self) -> "_BrokenResponse":
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_fetch_connection_drop_mid_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _BrokenResponse())
    dest = tmp_path / "dest"
    dest.mkdir()
    calls: list[tuple[str, int, int | None]] = []
    with pytest.raises(DataError) as exc:
        fetch(dest, checksums=CHECKSUMS, progress=lambda *a: calls.append(a))
    message = assert_one_line(exc)
    assert "reviews.txt" in message and "Connection reset" in message
    assert ("reviews.txt", 10, len(REVIEWS)) in calls  # bytes were written before the drop
    assert listing(dest) == []


def test_fetch_connection_drop_then_next_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = make_mirror(tmp_path / "good")
    real_urlopen = urllib.request.urlopen

    def flaky(url: str, timeout: float) -> object:
        return _BrokenResponse() if url.startswith("https://") else real_urlopen(url, timeout)

    monkeypatch.setattr(urllib.request, "urlopen", flaky)
    dest = tmp_path / "dest"
    fetch(dest, mirrors=["https://example.invalid/", good], checksums=CHECKSUMS)
    assert (dest / "reviews.txt").read_bytes() == REVIEWS
    assert listing(dest) == ["labels.txt", "reviews.txt"]


def test_fetch_interrupted_leaves_no_temporary_file(tmp_path: Path) -> None:
    class Interrupted(BaseException):
        pass

    def progress(name: str, done: int, total: int | None) -> None:
        if done:
            raise Interrupted

    mirror = make_mirror(tmp_path / "mirror")
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(Interrupted):
        fetch(dest, mirrors=[mirror], checksums=CHECKSUMS, progress=progress)
    assert listing(dest) == []


def test_fetch_into_a_file_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder")
    with pytest.raises(DataError, match="cannot create the data folder"):
        fetch(tmp_path / "taken", mirrors=[REFUSED], checksums=CHECKSUMS)


# --- fetch from a local folder ----------------------------------------------------------


@pytest.mark.parametrize("layout", ["plain", "gz", "both"])
def test_fetch_from_source(tmp_path: Path, layout: str) -> None:
    source = tmp_path / "source"
    source.mkdir()
    if layout in ("plain", "both"):
        make_mirror(source)
    if layout in ("gz", "both"):
        # With both present the plain file wins: make the .gz ones wrong to prove it.
        reviews, labels = (b"wrong\n", b"wrong\n") if layout == "both" else (REVIEWS, LABELS)
        (source / "reviews.txt.gz").write_bytes(gzip.compress(reviews))
        (source / "labels.txt.gz").write_bytes(gzip.compress(labels))
    dest = tmp_path / "dest"
    calls: list[tuple[str, int, int | None]] = []

    paths = fetch(dest, source=source, checksums=CHECKSUMS, progress=lambda *a: calls.append(a))

    assert paths == {"reviews.txt": dest / "reviews.txt", "labels.txt": dest / "labels.txt"}
    assert (dest / "reviews.txt").read_bytes() == REVIEWS
    assert (dest / "labels.txt").read_bytes() == LABELS
    assert listing(dest) == ["labels.txt", "reviews.txt"]
    total = None if layout == "gz" else len(REVIEWS)
    assert ("reviews.txt", len(REVIEWS), total) in calls


@pytest.mark.parametrize("compressed", [False, True])
def test_fetch_from_source_mismatch_writes_nothing(tmp_path: Path, compressed: bool) -> None:
    source = tmp_path / "source"
    source.mkdir()
    name = "reviews.txt.gz" if compressed else "reviews.txt"
    data = b"not the reviews\n"
    (source / name).write_bytes(gzip.compress(data) if compressed else data)
    (source / "labels.txt").write_bytes(LABELS)
    dest = tmp_path / "dest"
    dest.mkdir()

    with pytest.raises(DataError) as exc:
        fetch(dest, source=source, checksums=CHECKSUMS)

    message = assert_one_line(exc)
    assert name in message and "checksum mismatch" in message
    assert f"got {sha(data)[:12]}" in message
    assert listing(dest) == []


def test_fetch_from_source_missing_file_or_folder(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "reviews.txt").write_bytes(REVIEWS)
    dest = tmp_path / "dest"

    with pytest.raises(DataError) as exc:
        fetch(dest, source=source, checksums=CHECKSUMS)
    message = assert_one_line(exc)
    assert "labels.txt (or labels.txt.gz) not found in" in message and str(source) in message
    assert listing(dest) == ["reviews.txt"]  # finished, verified files stay

    with pytest.raises(DataError) as exc:
        fetch(tmp_path / "dest2", source=tmp_path / "absent", checksums=CHECKSUMS)
    assert "does not exist" in assert_one_line(exc)
    assert not (tmp_path / "dest2").exists()


def test_fetch_from_source_corrupt_gz(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "reviews.txt.gz").write_bytes(gzip.compress(REVIEWS)[:-12])  # truncated
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(DataError) as exc:
        fetch(dest, source=source, checksums=CHECKSUMS)
    assert "cannot read" in assert_one_line(exc) and "reviews.txt.gz" in str(exc.value)
    assert listing(dest) == []


# --- locate / read_texts ------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["plain", "gz", "mixed", "both"])
def test_locate_and_read_texts(tmp_path: Path, layout: str) -> None:
    if layout in ("plain", "both"):
        make_mirror(tmp_path)
    if layout in ("gz", "both"):
        (tmp_path / "reviews.txt.gz").write_bytes(gzip.compress(b"gz version\n"))
        (tmp_path / "labels.txt.gz").write_bytes(gzip.compress(b"negative\n"))
    if layout == "mixed":
        (tmp_path / "reviews.txt.gz").write_bytes(gzip.compress(REVIEWS))
        (tmp_path / "labels.txt").write_bytes(LABELS)

    paths = locate(tmp_path)
    reviews, labels = read_texts(tmp_path)

    if layout == "gz":
        assert paths == {
            "reviews.txt": tmp_path / "reviews.txt.gz",
            "labels.txt": tmp_path / "labels.txt.gz",
        }
        assert (reviews, labels) == ("gz version\n", "negative\n")
    else:  # plain files are preferred over .gz
        assert paths["labels.txt"] == tmp_path / "labels.txt"
        assert reviews == REVIEWS.decode() and labels == LABELS.decode()


def test_read_texts_is_utf8_with_universal_newlines(tmp_path: Path) -> None:
    (tmp_path / "reviews.txt").write_bytes("café , naïve\r\nok\r\n".encode())
    (tmp_path / "labels.txt.gz").write_bytes(gzip.compress(b"positive\r\nnegative\r\n"))
    assert read_texts(tmp_path) == ("café , naïve\nok\n", "positive\nnegative\n")


def test_read_texts_rejects_non_utf8(tmp_path: Path) -> None:
    (tmp_path / "reviews.txt").write_bytes("café\n".encode("latin-1"))
    (tmp_path / "labels.txt").write_bytes(LABELS)
    with pytest.raises(DataError) as exc:
        read_texts(tmp_path)
    assert "reviews.txt is not UTF-8" in assert_one_line(exc)


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        ([], "reviews.txt (or reviews.txt.gz) and labels.txt (or labels.txt.gz) are missing"),
        (["labels.txt"], "reviews.txt (or reviews.txt.gz) is missing"),
        (["reviews.txt.gz"], "labels.txt (or labels.txt.gz) is missing"),
    ],
    ids=["both", "reviews", "labels"],
)
def test_locate_missing_files(tmp_path: Path, present: list[str], expected: str) -> None:
    for name in present:
        (tmp_path / name).write_bytes(b"x\n")
    for func in (locate, read_texts):
        with pytest.raises(DataError) as exc:
            func(tmp_path)
        message = assert_one_line(exc)
        assert expected in message and str(tmp_path) in message
        assert f"rnnlab data fetch --dest {tmp_path}" in message
        assert "rnnlab data fetch --from DIR" in message


def test_locate_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError) as exc:
        locate(tmp_path / "absent")
    message = assert_one_line(exc)
    assert "does not exist" in message and "reviews.txt" in message
    assert "rnnlab data fetch" in message


# --- the real data set --------------------------------------------------------------------


def test_real_data_set(tmp_path: Path, real_data: Path) -> None:
    paths = fetch(tmp_path / "data", source=real_data)  # real checksums (FILES)

    assert paths["reviews.txt"].stat().st_size == 33_678_267
    assert paths["labels.txt"].stat().st_size == 225_000
    reviews, labels = read_texts(tmp_path / "data")
    assert reviews.endswith("\n") and len(reviews.split("\n")) == 25_001
    assert reviews.startswith("bromwell high is a cartoon comedy . it ran at the same time")
    label_lines = labels.split("\n")
    assert label_lines[-1] == "" and len(label_lines) == 25_001
    assert label_lines[:2] == ["positive", "negative"]
    assert label_lines.count("positive") == label_lines.count("negative") == 12_500
