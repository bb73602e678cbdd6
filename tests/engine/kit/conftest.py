"""The assignments without a notebook file or a ``tests/local.py``: the softmax one, and the
one ``rnnlab new`` writes."""

import pytest

from autograder import ROOT
from autograder.formats import manifest
from autograder.kit.skeleton import skeleton

SOFTMAX = ROOT / "tests" / "assignments" / "softmax" / "assignment"


@pytest.fixture(params=["softmax", "skeleton"])
def bare_assignment(request, tmp_path):
    """The softmax assignment, or a new one from ``rnnlab new``."""
    if request.param == "softmax":
        return manifest.load(SOFTMAX)
    skeleton(tmp_path / "new")
    return manifest.load(tmp_path / "new" / "assignment")
