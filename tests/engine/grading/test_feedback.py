"""Public feedback in plain words: a failed assert shows the values in it, never pytest's
"+ where" lines or a memory address, in the grader and in the kit (``tests/local.py``) alike."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np

from autograder import ROOT
from autograder.formats import manifest
from autograder.grading import public_tests
from autograder.grading.feedback import assertion
from autograder.grading.grade import grade

PUBLIC = textwrap.dedent(
    """
    import numpy as np

    def test_close(sub):
        got = np.array([1.0, 2.0])
        assert np.allclose(got, sub.mean.twice(got))

    def test_kind(sub):
        assert isinstance(sub.mean.thing(), int)

    def test_said(sub):
        assert sub.mean.nothing(3), "it should say yes"

    def test_compared(sub):
        assert len(sub.mean.twice(np.zeros(2))) == 3
    """
)
EXPECTED = {
    "test_close": "assert np.allclose(array([1., 2.]), array([2., 4.]))",
    "test_kind": "assert isinstance(<object object>, int)",
    "test_said": "it should say yes\nassert sub.mean.nothing(3) (it is None)",
    "test_compared": "assert 2 == 3",
}


class Mean:
    """``sub.mean`` of a submission, as the proxies show it in an assert."""

    def __repr__(self) -> str:
        return "sub.mean"

    def twice(self, values):
        return 2 * np.asarray(values)

    def thing(self):
        return object()

    def nothing(self, value):
        return None


class Sub:
    mean = Mean()

    def __repr__(self) -> str:
        return "sub"


def test_a_failed_assert_shows_values_in_the_grader_and_in_the_kit(tmp_path):
    path = tmp_path / "test_mean.py"
    path.write_text(PUBLIC)
    loaded = public_tests.load_rewritten(path, "_feedback_public_mean")
    said = {}
    for name in EXPECTED:
        try:
            getattr(loaded, name)(Sub())
        except AssertionError as failure:
            said[name] = assertion(failure)
    assert said == EXPECTED

    # The kit words it with tests/local.py, which has no rnnlab: the same words.
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        import local
        sys.path.insert(0, {str(ROOT / "tests" / "engine" / "grading")!r})
        from test_feedback import Sub
        loaded = local._load_rewritten(Path({str(path)!r}), "kit_public_mean")
        said = {{}}
        for name in {list(EXPECTED)!r}:
            try:
                getattr(loaded, name)(Sub())
            except AssertionError as failure:
                said[name] = local.explain(failure)
        print(json.dumps(said))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT / "assignment" / "tests",
        env={**os.environ, "RNNLAB_IMPL": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == EXPECTED


def test_a_new_assignments_public_feedback_has_no_introspection(tmp_path):
    """The softmax assignment's public tests use plain ``assert np.allclose(...)``."""
    assignment = manifest.load(ROOT / "tests" / "assignments" / "softmax" / "assignment")
    folder = tmp_path / "submission"
    folder.mkdir()
    source = (assignment.reference / "softmax.py").read_text()
    # Every probability doubled: 1/2 for 4 equal logits.
    (folder / "softmax.py").write_text(source + "\n\n_right = softmax\n" + WRONG)
    report = grade(folder, assignment=assignment, public_only=True)
    failed = [o.output for o in report.outcomes if not o.passed]
    assert failed and report.grader_errors == []
    for output in failed:
        assert "0x" not in output and "+ where" not in output and "where " not in output, output
    assert any("\nassert np.allclose(array([[0.5, 0.5, 0.5, 0.5]," in o for o in failed), failed


WRONG = textwrap.dedent(
    """
    def softmax(z):
        return 2 * _right(z)
    """
)
