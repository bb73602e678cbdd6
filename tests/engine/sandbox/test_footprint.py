"""A command's memory as a container counts it (needs a memory cgroup this user may make)."""

import sys

import pytest

from autograder.sandbox.footprint import measure

HOLD = "import sys; data = b'x' * (int(sys.argv[1]) << 20)"  # every page written


def run(mb: int, limit_mb: int | None = None):
    found = measure([sys.executable, "-c", HOLD, str(mb)], cwd=".", limit_mb=limit_mb)
    if found is None:
        pytest.skip("no memory cgroup can be made here")
    return found


def test_the_peak_holds_what_the_command_wrote():
    """(The working set is sampled: a run this short may end between two samples.)"""
    found = run(200)
    assert found.returncode == 0
    assert found.working_set_mb <= found.peak_mb
    assert 200 <= found.peak_mb < 400
    assert found.kills == 0


def test_a_limit_too_small_kills_it():
    found = run(300, limit_mb=100)
    assert found.returncode != 0
    assert found.kills >= 1
    assert found.working_set_mb <= 100
