"""Every outcome of a test is a verdict on the submission or a grader error, never a crash.

A submission fault (a wrong answer, an error raised, a ``pytest.raises`` that
saw none) is scored with feedback. A grader fault (a bug in a check, a
reference that cannot load) is never silently charged: the test says
"grader error", the results say so at the top, the traceback goes to a log,
and ``rnnlab grade`` exits with its own code.
"""

import importlib
import json
import os
import subprocess
import sys
import textwrap

import pytest
import submissions

from autograder import ROOT, cli
from autograder.authoring import known_mistake
from autograder.batch import local as batch
from autograder.formats import results
from autograder.formats.manifest import current as current_assignment
from autograder.grading import grade, public_tests
from autograder.model.rubric import UnknownQuestion

LAB = current_assignment()


LABELS = [LAB.question("labels")]


def hidden_tests(question_id: str):
    """The hidden-test module the engine loaded for ``question_id`` (to patch it)."""
    return importlib.import_module(
        f"{grade.hidden_tests_package(current_assignment())}.{question_id}"
    )


def labels_submission(tmp_path, body: str):
    folder = tmp_path / "submission"
    folder.mkdir()
    for module in (ROOT / "reference").glob("[!_]*.py"):
        (folder / module.name).write_text(module.read_text())
    (folder / "labels.py").write_text(textwrap.dedent(body))
    return folder


def test_a_public_raises_that_sees_no_error_is_a_verdict(tmp_path):
    folder = submissions.spliced(
        submissions.HERE / "buggy" / "labels_unknown_as_zero.py", tmp_path / "s"
    )
    report = grade.grade(folder, questions=LABELS)
    outcome = next(o for o in report.outcomes if o.test.id == "anything_else_is_a_value_error")
    assert not outcome.passed and outcome.grader_error is None
    assert "ValueError" in outcome.output and "none was raised" in outcome.output
    assert "encode_labels(" in outcome.output  # the call, and what it returned
    assert report.grader_errors == []


def test_the_cli_writes_results_for_that_mistake(tmp_path, capsys):
    folder = submissions.spliced(
        submissions.HERE / "buggy" / "labels_unknown_as_zero.py", tmp_path / "s"
    )
    output = tmp_path / "out" / "results.json"
    assert cli.main(["grade", str(folder), "-o", str(output), "-q"]) == 0
    data = json.loads(output.read_text())
    assert 0 < data["score"] < 100
    assert cli.main(["check", str(folder), "-q", "labels"]) == 1
    assert "none was raised" in capsys.readouterr().out


@pytest.mark.parametrize("raised", ["KeyboardInterrupt()", "SystemExit(3)"])
def test_base_exceptions_raised_by_the_submission_are_its_own(tmp_path, raised):
    folder = labels_submission(
        tmp_path,
        f"""
        def encode_labels(labels):
            raise {raised}
        """,
    )
    report = grade.grade(folder, questions=LABELS)
    assert report.score == 0 and report.grader_errors == []
    name = raised.split("(")[0]
    assert all(name in o.output for o in report.outcomes), [o.output for o in report.outcomes]


def test_a_bug_in_a_check_is_a_grader_error(tmp_path, monkeypatch, capsys):
    def broken(sub, ref):
        return {}["no such key"]

    monkeypatch.setattr(hidden_tests("labels"), "empty_inputs_give_empty_arrays", broken)
    report = grade.grade(ROOT / "reference", questions=LABELS)
    (fault,) = report.grader_errors
    assert fault.test.id == "empty_inputs_give_empty_arrays" and not fault.passed
    assert "grader error" in fault.output and "tell your instructor" in fault.output
    assert "KeyError" in fault.grader_error and "no such key" in fault.grader_error
    assert "no such key" not in fault.output  # the traceback is the instructor's
    assert results.gradescope(report)["output"].startswith("grader error: 1 test")
    others = [o for o in report.outcomes if o is not fault]
    assert all(o.passed for o in others)

    output = tmp_path / "results.json"
    assert cli.main(["grade", str(ROOT / "reference"), "-o", str(output), "-q"]) == (
        cli.GRADER_ERROR_EXIT
    )
    assert "no such key" in (tmp_path / "grader-errors.log").read_text()
    assert "grader error" in capsys.readouterr().err


def test_a_reference_that_cannot_load_is_a_grader_error(monkeypatch):
    def missing(question):
        raise ImportError("No module named 'reference'")

    monkeypatch.setattr(grade, "substitutes", missing)
    report = grade.grade(ROOT / "reference", questions=[LAB.question("rnn_backward")])
    assert len(report.grader_errors) == len(report.outcomes) > 0


def test_the_graders_own_interrupt_stops_it(monkeypatch):
    def interrupted(sub, ref):
        raise KeyboardInterrupt

    monkeypatch.setattr(hidden_tests("labels"), "empty_inputs_give_empty_arrays", interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade.grade(ROOT / "reference", questions=LABELS)


def test_an_unknown_question_is_a_usage_error_and_other_key_errors_are_not(capsys, monkeypatch):
    assert cli.main(["check", str(ROOT / "reference"), "-q", "nope"]) == 2
    assert "no question 'nope'" in capsys.readouterr().err
    with pytest.raises(UnknownQuestion):
        LAB.question("nope")

    def broken(*args, **kwargs):
        raise KeyError("internal")

    monkeypatch.setattr(grade, "grade", broken)
    with pytest.raises(KeyError):
        cli.main(["check", str(ROOT / "reference")])


def test_split_data_of_odd_values_is_a_verdict_and_grade_exits_0(tmp_path, capsys):
    """``(10**5000, nan, inf, [nan], {(1, 2): 3}, ())`` made "split sizes" raise TypeError
    and "the parts put back together" ValueError: grader errors, and exit 3."""
    folder = labels_submission(tmp_path, (ROOT / "reference" / "labels.py").read_text())
    source = (ROOT / "reference" / "splits.py").read_text()
    (folder / "splits.py").write_text(
        source
        + "\n\ndef split_data(features, labels, split_frac=0.8):\n"
        + "    return (10**5000, float('nan'), float('inf'), [float('nan')], {(1, 2): 3}, ())\n"
    )
    report = grade.grade(folder, questions=[LAB.question("splits")])
    assert report.grader_errors == [] and report.score == 0
    hidden = {o.test.id: o.output for o in report.outcomes if o.test.visibility == "hidden"}
    for test in ("sizes_match_reference", "parts_reassemble_in_order"):
        assert "[0] is an int of 16610 bits, not an array" in hidden[test]
    assert cli.main(["grade", str(folder), "-q"]) == 0
    assert "grader error" not in capsys.readouterr().err


def test_a_none_result_is_no_known_mistake():
    assert known_mistake(None, {"a mistake that does not apply here": None}) is None
    assert known_mistake(None, {"returns nothing": None, "other": [1]}) is None
    assert known_mistake([1], {"other": [1]}) == "other"


def test_grade_all_records_a_student_who_runs_out_of_time(tmp_path):
    classroom = tmp_path / "class"
    classroom.mkdir()
    submissions.spliced(submissions.HERE / "buggy" / "labels_unknown_as_zero.py", classroom / "a")
    gradebook = tmp_path / "out" / "gradebook.csv"
    rows = batch.grade_all(classroom, gradebook, timeout=0.5)
    assert [(r.student, r.status.split(":")[0]) for r in rows] == [("a", "timeout")]
    assert "timeout" in gradebook.read_text()


def test_grade_all_grades_the_commonest_mistake(tmp_path):
    classroom = tmp_path / "class"
    classroom.mkdir()
    submissions.spliced(submissions.HERE / "buggy" / "labels_unknown_as_zero.py", classroom / "a")
    rows = batch.grade_all(classroom, tmp_path / "out" / "gradebook.csv")
    assert [(r.student, r.status) for r in rows] == [("a", "graded")]
    assert 0 < rows[0].scores["labels"] < 10 and rows[0].total < 100


def test_worst_case_covers_both_lanes():
    fast = {"numpy": 1.0, "tensorflow": 5.0}
    assert grade.worst_case_seconds(seconds=fast) == max(5.0, 6 * 1.0) + grade.MARGIN_SECONDS


def test_the_kits_notebook_check_reports_the_commonest_mistake(tmp_path):
    """``grader.check`` runs ``tests/local.py``: a ``pytest.raises`` that saw no error is
    feedback there too, not a traceback."""
    folder = submissions.spliced(
        submissions.HERE / "buggy" / "labels_unknown_as_zero.py", tmp_path / "s"
    )
    script = (
        "import local; "
        "print(repr(local.run('labels', 'anything_else_is_a_value_error'))); "
        "print(repr(local.run('labels', 'a_list_of_labels')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT / "assignment" / "tests",
        env={**os.environ, "RNNLAB_IMPL": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    raised, listed = done.stdout.splitlines()
    assert "DID NOT RAISE" in raised and listed == "'passed'"


def test_output_printed_during_hidden_tests_stays_with_hidden_tests(tmp_path):
    folder = submissions.hostile(
        submissions.HERE / "hostile" / "prints_hidden_inputs", tmp_path / "s"
    )
    report = grade.grade(folder, questions=LABELS)
    visible = "\n".join(o.output for o in report.outcomes if o.test.visibility == "public")
    hidden = "\n".join(o.output for o in report.outcomes if o.test.visibility == "hidden")
    assert "INPUT:" in visible and "INPUT:" in hidden  # each test shows its own printing
    assert "positiv'" not in visible and "'good'" not in visible  # a hidden case's values
    assert "positiv" in hidden


def test_hypothesis_writes_nothing_where_the_grader_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    grade.grade(ROOT / "reference", questions=LABELS)
    assert list(tmp_path.iterdir()) == []


def test_a_public_test_that_breaks_on_none_is_a_verdict(tmp_path):
    """A public test is a pytest test: it fails on None; only hidden checks owe validation."""
    folder = labels_submission(
        tmp_path,
        """
        def encode_labels(labels):
            return None
        """,
    )
    report = grade.grade(folder, questions=LABELS)
    assert report.score == 0 and report.grader_errors == []
    public = [o for o in report.outcomes if o.test.visibility == "public"]
    assert any("could not use what came back" in o.output for o in public)
    assert any("returned None" in o.output for o in public)


def test_a_gradient_of_nan_reads_as_wrong():
    from reference.hidden_tests._maths import gradient_band as band

    assert band(float("nan")) == band(float("inf")) == "wrong"


def test_a_zero_for_the_question_does_not_carry_hidden_printing_to_visible_tests(tmp_path):
    folder = submissions.hostile(
        submissions.HERE / "hostile" / "abort_leaks_hidden_inputs", tmp_path / "s"
    )
    report = grade.grade(folder, questions=LABELS)
    assert report.score == 0
    for outcome in report.outcomes:
        assert "NotImplementedError" in outcome.output
        if outcome.test.visibility == "public":
            assert "HIDDEN INPUTS SEEN" not in outcome.output, outcome.output
    assert any("HIDDEN INPUTS SEEN" in o.output for o in report.outcomes)


def test_a_sandbox_that_cannot_start_is_a_grader_error_on_every_test(monkeypatch):
    """Public tests too: they call the submission through the sandbox, and its start
    failing (before any submission code runs) must not read as the student's crash."""
    from autograder.sandbox import Sandbox, SandboxSetupError

    def cannot(self):
        raise SandboxSetupError("the sandbox did not start: no hello within 120 s")

    monkeypatch.setattr(Sandbox, "start", cannot)
    report = grade.grade(ROOT / "reference", questions=LABELS)
    public = [o for o in report.outcomes if o.test.visibility == "public"]
    assert public and len(report.grader_errors) == len(report.outcomes)
    assert all("SandboxSetupError" in o.grader_error for o in report.outcomes)


def test_rewritten_public_tests_are_kept_and_follow_their_source(tmp_path):
    """The rewritten code is cached beside the module; an edit, or a broken cache file,
    gives the new source's code, with pytest's assertion message."""
    path = tmp_path / "test_thing.py"
    path.write_text("def test_it():\n    got = 1\n    assert got == 2\n")
    with pytest.raises(AssertionError, match="assert 1 == 2"):
        public_tests.load_rewritten(path, "_cached_first").test_it()
    (cached,) = (tmp_path / "__pycache__").iterdir()
    path.write_text("def test_it():\n    got = 3\n    assert got == 2\n")
    with pytest.raises(AssertionError, match="assert 3 == 2"):
        public_tests.load_rewritten(path, "_cached_second").test_it()
    cached.write_bytes(cached.read_bytes()[:70])  # cut short, as by a full disk
    with pytest.raises(AssertionError, match="assert 3 == 2"):
        public_tests.load_rewritten(path, "_cached_third").test_it()
