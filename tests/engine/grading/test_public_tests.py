"""Public test modules load as in the kit's pytest: they import the modules beside them."""

import sys

import pytest

from autograder.grading.public_tests import load_rewritten
from autograder.impl import fresh_name


def test_a_public_test_imports_its_siblings_and_they_are_then_forgotten(tmp_path):
    (tmp_path / "words_beside.py").write_text('SLIP = "a slip"\n')
    (tmp_path / "test_m.py").write_text(
        "from words_beside import SLIP\n\ndef test_x(sub):\n    assert sub == 1, SLIP\n"
    )
    loaded = load_rewritten(tmp_path / "test_m.py", fresh_name("_public_siblings"))
    assert loaded.SLIP == "a slip"
    assert "words_beside" not in sys.modules  # another assignment's words_beside is its own
    assert str(tmp_path) not in sys.path
    with pytest.raises(AssertionError, match="^a slip\nassert 2 == 1$"):
        loaded.test_x(2)  # rewritten as pytest rewrites it
