"""The one atomic write: whole or not at all, never a shared temporary, private unless asked."""

import os
import stat

import pytest

from autograder.formats import files


def test_text_and_bytes_land_whole_with_their_mode(tmp_path):
    path = tmp_path / "new" / "folder" / "results.json"
    files.write_atomic(path, "héllo")
    assert path.read_bytes() == "héllo".encode()
    assert stat.S_IMODE(path.stat().st_mode) == files.PRIVATE  # the default: outputs are private
    files.write_atomic(path, b"\x00\x01", mode=0o644, sync=True)
    assert path.read_bytes() == b"\x00\x01" and stat.S_IMODE(path.stat().st_mode) == 0o644
    assert os.listdir(path.parent) == ["results.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "gradebook.csv"
    files.write_atomic(path, "old")

    def broken(*args):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk gone"):
        files.write_atomic(path, "new")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["gradebook.csv"]


def test_two_writers_never_share_a_temporary(tmp_path, monkeypatch):
    seen = []
    original = os.replace

    def record(source, target):
        seen.append(source)
        original(source, target)

    monkeypatch.setattr(os, "replace", record)
    for text in ("one", "two"):
        files.write_atomic(tmp_path / "same.txt", text)
    assert len(set(seen)) == 2
