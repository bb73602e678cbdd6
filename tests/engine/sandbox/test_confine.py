"""Landlock as the launcher applies it: rights by ABI, and a confined child that reads and
writes only where its rules say."""

import json
import subprocess
import sys

import pytest

from autograder.sandbox.inside import INSIDE_CODE, confine


def test_rights_grow_with_the_abi():
    assert confine.fs_rights(1) == (1 << 13) - 1
    assert confine.fs_rights(2) & (1 << 13) and not confine.fs_rights(2) & confine.TRUNCATE
    assert confine.fs_rights(3) & confine.TRUNCATE and not confine.fs_rights(3) & confine.IOCTL_DEV
    assert confine.fs_rights(7) & confine.IOCTL_DEV


CHILD = """
import ctypes, json, os, sys
sys.path.insert(0, sys.argv[1])
import confine
ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # no new privileges, as the launcher sets
rules = json.loads(sys.argv[2])
found = {"abi": confine.restrict(rules["read"], rules["write"])}
for name, path, mode in rules["try"]:
    try:
        with open(path, mode) as handle:
            handle.write("x") if "w" in mode else handle.read(1)
        found[name] = "ok"
    except OSError as error:
        found[name] = type(error).__name__
print(json.dumps(found))
"""


@pytest.mark.skipif(confine.abi() == 0, reason="no Landlock on this kernel")
def test_a_confined_child_reads_and_writes_only_where_allowed(tmp_path):
    readable, writable, secret = tmp_path / "read", tmp_path / "write", tmp_path / "secret"
    for folder in (readable, writable, secret):
        folder.mkdir()
        (folder / "file.txt").write_text("x")
    rules = {
        "read": [
            sys.base_prefix,
            sys.prefix,
            "/usr",
            "/lib",
            "/lib64",
            str(INSIDE_CODE),
            str(readable),
        ],  # fmt: skip
        "write": [str(writable)],
        "try": [
            ["read", str(readable / "file.txt"), "r"],
            ["write", str(writable / "new.txt"), "w"],
            ["write_in_read", str(readable / "new.txt"), "w"],
            ["secret", str(secret / "file.txt"), "r"],
        ],
    }
    done = subprocess.run(
        [sys.executable, "-S", "-c", CHILD, str(INSIDE_CODE), json.dumps(rules)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found == {
        "abi": confine.abi(),
        "read": "ok",
        "write": "ok",
        "write_in_read": "PermissionError",
        "secret": "PermissionError",
    }
