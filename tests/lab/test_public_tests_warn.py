"""The public tests warn of the hidden points, and say so as the grader does.

Every hidden test names, in the manifest (``public``), the public tests of its
clause; each known buggy submission fails a public test of the question it loses
points on; a failed public test reads the same in ``rnnlab check``, in the
notebook's ``grader.check`` (``tests/local.py`` and otter's OK tests) and in the
kit's pytest; and Gradescope shows each hidden test when the manifest says.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import submissions
from hidden_mistakes import hidden_mistakes

from autograder import ROOT
from autograder.cli import tables
from autograder.formats import results
from autograder.grading.grade import grade
from autograder.impl import fresh_name, load_file
from autograder.kit.build import student_ok_tests
from autograder.kit.hidden_list import hidden_summary
from autograder.model import rubric
from autograder.model.mistakes import GIVES, LIKELY_CAUSE, named
from autograder.model.outcome import Outcome, Report
from autograder.model.visibility import HIDDEN_VISIBILITY

LAB = submissions.LAB
NUMPY_BUGS = [
    b for b in submissions.BUGGY if LAB.question(submissions.question_lost(b)).profile == "numpy"
]
GRAPH_BUGS = [b for b in submissions.BUGGY if b not in NUMPY_BUGS]


def test_every_hidden_test_names_public_tests_of_its_clause():
    assert any(LAB.questions) and LAB.path.read_text().count("require_public = true") == 1
    for question in LAB.questions:
        public = {t.id for t in question.tests if t.visibility == "public"}
        named = set()
        for test in question.tests:
            if test.visibility == "hidden":
                assert test.public, f"{question.id}.{test.id} names no public test"
                assert set(test.public) <= public, f"{question.id}.{test.id}"
                named |= set(test.public)
        # and every public test warns of some hidden clause
        assert named == public, f"{question.id}: {sorted(public - named)} guard no hidden test"


def test_the_points_are_on_one_scale():
    public = sum(t.points for q in LAB.questions for t in q.tests if t.visibility == "public")
    assert LAB.total == 100 and public == 24
    report = grade(ROOT / "assignment", questions=[LAB.question("vocab")], public_only=True)
    hidden = sum(t.points for t in LAB.question("vocab").tests if t.visibility == "hidden")
    assert tables.scale(report) == (
        f"0 of the 3 public points; {hidden:g} more points are graded by hidden tests after "
        "you submit"
    )


def kit_tests(folder: Path) -> Path:
    """The kit's tests/ folder, as ``rnnlab build`` makes it, with the list of hidden tests."""
    tests = folder / "tests"
    shutil.copytree(
        LAB.public_tests, tests, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache")
    )
    (tests / "HIDDEN.md").write_text(hidden_summary(LAB))
    return tests


def in_the_kit(tests: Path, impl: Path, script: str) -> str:
    """Run ``script`` in the kit's tests folder on the modules in ``impl``: its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tests,
        env={**os.environ, "RNNLAB_IMPL": str(impl)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def public_failures(bug: Path, folder: Path) -> dict[str, str]:
    lost = LAB.question(submissions.question_lost(bug))
    report = grade(folder, questions=[lost], public_only=True)
    assert report.grader_errors == []
    return {o.test.id: o.output for o in report.outcomes if not o.passed}


def names_its_mistake(bug: Path, failed: dict[str, str]) -> None:
    """The public feedback names the mistake in the words the hidden tests use (``names:``)."""
    phrase = submissions.named_mistake(bug)
    if phrase:
        feedback = "\n".join(failed.values())
        assert phrase in feedback, f"{bug.stem}'s public feedback names no mistake: {feedback}"


@pytest.mark.parametrize("bug", NUMPY_BUGS, ids=lambda p: p.stem)
def test_a_buggy_submission_fails_a_public_test_and_the_kit_says_the_same(bug, tmp_path):
    folder = submissions.spliced(bug, tmp_path / "submission")
    failed = public_failures(bug, folder)
    assert failed, f"{bug.stem} passes every public test of its question"
    names_its_mistake(bug, failed)
    question = submissions.question_lost(bug)
    module = LAB.question(question).module
    tests = kit_tests(tmp_path / "kit")
    runs = f"{{t: local.run({module!r}, t) for t in {list(failed)!r}}}"
    script = f"import json, local; print(json.dumps({runs}))"
    assert json.loads(in_the_kit(tests, folder, script)) == failed


@pytest.mark.slow
@pytest.mark.parametrize("bug", GRAPH_BUGS, ids=lambda p: p.stem)
def test_a_buggy_graph_fails_a_public_test(bug, tmp_path):
    folder = submissions.spliced(bug, tmp_path / "submission")
    failed = public_failures(bug, folder)
    assert failed, f"{bug.stem} passes every public test of its question"
    names_its_mistake(bug, failed)


SHEET_MISTAKES = ["backward_add_derivative", "backward_the_sheets", "lstm_shared_cell"]
"""The mistakes the lab sheet itself prints: its derivative, its backward pass, its cell."""


def test_the_sheets_mistakes_are_named_in_the_hidden_tests_words():
    words = load_file(LAB.public_tests / "mistakes.py", fresh_name("mistakes_words"))
    named = {
        b: submissions.named_mistake(submissions.HERE / "buggy" / f"{b}.py") for b in SHEET_MISTAKES
    }
    assert words.SHEET_DERIVATIVE in named["backward_add_derivative"]
    assert words.gives(words.SHEET_BACKWARD) in named["backward_the_sheets"]
    assert named["lstm_shared_cell"] in words.likely(words.SHARED_CELL)
    for phrasing, public in [(GIVES, words.gives), (LIKELY_CAUSE, words.likely)]:
        assert public("a slip") == phrasing.format("a slip")  # the engine's words for it


@pytest.mark.slow
@pytest.mark.parametrize("bug", SHEET_MISTAKES)
def test_the_kits_pytest_and_grader_check_name_the_sheets_mistakes(bug, tmp_path):
    bug = submissions.HERE / "buggy" / f"{bug}.py"
    folder = submissions.spliced(bug, tmp_path / "submission")
    question = submissions.question_lost(bug)
    module = LAB.question(question).module
    tests = kit_tests(tmp_path / "kit")
    run = in_the_kit(
        tests,
        folder,
        f"import pytest, sys; sys.exit(pytest.main(['test_{module}.py', '-q', '-p', "
        "'no:cacheprovider']) * 0)",
    )
    assert submissions.named_mistake(bug) in " ".join(run.split()), run[-3000:]
    cases = ok_cases(tests, folder, question)
    said = " ".join(" ".join(m.split()) for _, m in cases)
    assert submissions.named_mistake(bug) in said, said[-3000:]


def ok_cases(tests: Path, folder: Path, question: str) -> list[list[str]]:
    """What ``grader.check(question)`` runs in the kit: each case's name and message."""
    (tests.parent / f"{question}_ok.py").write_text(student_ok_tests(LAB)[f"{question}.py"])
    script = (
        "import os, json; os.chdir('..')\n"
        "from otter.test_files.ok_test import OKTestFile\n"
        f"test = OKTestFile.from_file('{question}_ok.py'); test.run({{}})\n"
        "print(json.dumps([[r.test_case.name, r.message] for r in test.test_case_results]))\n"
    )
    return json.loads(in_the_kit(tests, folder, script))


def test_a_failure_names_the_call_the_mistake_and_the_hidden_points(tmp_path):
    bug = submissions.HERE / "buggy" / "vocab_alphabetical_ties.py"
    failed = public_failures(bug, submissions.spliced(bug, tmp_path / "s"))
    assert failed == {
        "ties_go_to_the_word_seen_first": (
            "vocab.build_vocab(['movie bad good', 'bad good movie']) returned "
            "{'bad': 1, 'good': 2, 'movie': 3}\n"
            "This is what ties broken alphabetically gives: a tie goes to the word seen first.\n"
            "assert {'bad': 1, 'good': 2, 'movie': 3} == {'movie': 1, 'bad': 2, 'good': 3}\n"
            "Hidden tests of the same clause, graded after you submit: "
            "see 'build_vocab: ties go to the word that occurs first' (2 points)."
        )
    }


def test_the_notebooks_check_and_the_kits_pytest_print_only_that(tmp_path):
    bug = submissions.HERE / "buggy" / "splits_odd_row_to_validation.py"
    folder = submissions.spliced(bug, tmp_path / "submission")
    expected = public_failures(bug, folder)["the_odd_row_goes_to_test"]
    tests = kit_tests(tmp_path / "kit")
    cases = ok_cases(tests, folder, "splits")
    question = LAB.question("splits")
    public = [t for t in question.tests if t.visibility == "public"]
    # Named as rnnlab check names them, not "splits - 3"; the last case is the points earned.
    name = f"splits: {question.tests[2].title}"
    names = [f"splits: {t.title}" for t in public] + ["splits: public points"]
    assert [n for n, _ in cases] == names
    messages = [m for _, m in cases]
    assert messages[2] == f"❌ Test case failed\n{expected}\n"  # no doctest transcript
    assert messages[-1] == (
        "❌ Test case failed\n2 of the 2.5 public points; 7.5 more points are graded by hidden "
        "tests after you submit\n"
    )
    assert [m for i, m in enumerate(messages[:-1]) if i != 2] == ["✅ Test case passed"] * 4

    pytest_run = in_the_kit(
        tests,
        folder,
        "import pytest, sys; sys.exit(pytest.main(['test_splits.py', '-q', '-p', "
        "'no:cacheprovider']) * 0)",
    )
    said = re.escape(f"{name}\n{expected}\n")
    assert re.search(rf"_ test_the_odd_row_goes_to_test _+\n{said}", pytest_run)
    assert "raises.py" not in pytest_run and "Traceback" not in pytest_run
    assert (
        "public checks: 2 of the 24 public points; 76 more points are graded by hidden tests "
        "after you submit" in pytest_run
    )


def test_a_module_that_does_not_import_is_said_once_per_question_everywhere(tmp_path, capsys):
    """Not "the test could not use what came back" on every test: the module fails to import,
    with its file and line, once per question in rnnlab check, and once in the kit (pytest
    and the notebook's checks), where the other tests point at it."""
    folder = submissions.spliced([], tmp_path / "submission")
    source = (folder / "rnn.py").read_text().splitlines()
    line = next(i for i, text in enumerate(source) if "return" in text and "(" in text) + 1
    source[line - 1] += ")"
    (folder / "rnn.py").write_text("\n".join(source) + "\n")
    broken = f"rnn.py fails to import: SyntaxError: unmatched ')' (rnn.py, line {line})"

    from autograder.cli import main

    questions = [q for q in LAB.questions if q.module == "rnn"]
    assert main(["check", str(folder), *(a for q in questions for a in ("-q", q.id))]) == 1
    printed = capsys.readouterr().out
    assert printed.count(broken) == len(questions) == 2
    assert "could not use what came back" not in printed

    tests = kit_tests(tmp_path / "kit")
    pytest_run = in_the_kit(
        tests,
        folder,
        "import pytest, sys; sys.exit(pytest.main(['test_rnn.py', '-q', '-p', "
        "'no:cacheprovider']) * 0)",
    )
    first = "test_rnn.py::test_forward_shapes_with_the_sheets_sizes"
    # pytest's closing summary repeats each message's first line in full where CI is set.
    failures = pytest_run.split("short test summary info")[0]
    assert failures.count(broken) == 1 and "could not use" not in pytest_run
    assert failures.count(f"the same failure as {first}, above") == 11

    (tests.parent / "rnn_ok.py").write_text(student_ok_tests(LAB)["rnn_backward.py"])
    script = (
        "import os, json; os.chdir('..')\n"
        "from otter.test_files.ok_test import OKTestFile\n"
        "test = OKTestFile.from_file('rnn_ok.py'); test.run({})\n"
        "print(json.dumps([r.message for r in test.test_case_results]))\n"
    )
    messages = json.loads(in_the_kit(tests, folder, script))
    named = f"rnn_backward: {questions[1].tests[0].title}"
    assert messages[0] == f"❌ Test case failed\n{broken}\n"
    assert messages[1:-1] == [f"❌ Test case failed\nthe same failure as {named}, above\n"] * 5
    assert messages[-1].startswith("❌ Test case failed\n0 of the 3.5 public points; ")


def test_the_kits_pytest_shows_no_tensorflow_log_line(tmp_path):
    """TensorFlow's start-up lines (oneDNN, CUDA) ignore TF_CPP_MIN_LOG_LEVEL: the kit
    imports it with stderr closed, as the grader's sandbox does."""
    run = in_the_kit(
        kit_tests(tmp_path / "kit"),
        ROOT / "reference",
        "import pytest, sys; sys.exit(pytest.main(['test_lstm.py', '-q', '-rA', '-p', "
        "'no:cacheprovider', '-k', 'the_graph_has_every_part']) * 0)",
    )
    assert "PASSED test_lstm.py::test_the_graph_has_every_part" in run
    assert not re.search(r"oneDNN|cuda|absl", run, re.IGNORECASE), run[-2000:]


def test_a_failed_pytest_raises_reads_the_same_everywhere(tmp_path):
    bug = submissions.HERE / "buggy" / "splits_no_checks.py"
    failed = public_failures(bug, submissions.spliced(bug, tmp_path / "s"))
    said = failed["split_frac_above_1_is_a_value_error"]
    assert "DID NOT RAISE: expected ValueError, but none was raised" in said
    assert said.startswith("splits.split_data(array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),")


# -- what Gradescope shows, and when ---------------------------------------------------------


def outcome(shown: str, passed: bool, grader_error: str | None = None) -> Outcome:
    test = rubric.Test("t", "a clause", 2.0, "hidden", shown=shown, public=("small_case",))
    return Outcome(LAB.questions[0], test, passed, "case [3, 1] gave 4", grader_error)


@pytest.mark.parametrize("shown", sorted(HIDDEN_VISIBILITY))
def test_each_hidden_visibility_is_a_gradescope_visibility(shown):
    for passed in (True, False):
        entries = results.gradescope(Report([outcome(shown, passed)], 1.0))["tests"]
        assert sum(e["max_score"] for e in entries) == 2.0
        if shown != "pass_fail_now":
            [entry] = entries
            assert entry["visibility"] == HIDDEN_VISIBILITY[shown].gradescope
            assert entry["output"] == "case [3, 1] gave 4"


def test_pass_fail_now_shows_the_verdict_now_and_the_case_after_the_due_date():
    [passed] = results.gradescope(Report([outcome("pass_fail_now", True)], 1.0))["tests"]
    assert passed["visibility"] == "visible" and passed["output"] == "passed"
    failed, details = results.gradescope(Report([outcome("pass_fail_now", False)], 1.0))["tests"]
    assert failed["visibility"] == "visible" and failed["status"] == "failed"
    assert "[3, 1]" not in failed["output"] and "test_small_case" in failed["output"]
    assert details["visibility"] == "after_due_date" and details["output"] == "case [3, 1] gave 4"
    assert details["max_score"] == details["score"] == 0
    fault = outcome("pass_fail_now", False, grader_error="Traceback ...")
    [entry] = results.gradescope(Report([fault], 1.0))["tests"]
    assert entry["visibility"] == "visible"  # a grader error reveals no case: said at once


def test_the_kits_list_of_hidden_tests():
    text = hidden_summary(LAB)
    hidden = [(q, t) for q in LAB.questions for t in q.tests if t.visibility == "hidden"]
    for question, test in hidden:
        assert f"| `{question.id}` | {test.title} | {test.points:g} |" in text
    assert "76 more points are graded by the hidden tests below" in " ".join(text.split())
    data = json.loads(text.rstrip().splitlines()[-1].removeprefix("<!-- hidden tests: ")[:-4])
    assert data["points"] == 76
    assert data["public"]["test_rnn.py::test_truncation_keeps_the_last_steps"] == [
        ["truncation: bptt_truncate=1 keeps the last step", 3],
        ["truncation: bptt_truncate=2 keeps the last two steps", 3],
        ["truncation: bptt_truncate=T-1", 3],
    ]


def test_a_failed_hidden_test_whose_public_tests_pass_says_so_before_the_due_date():
    hidden, public = outcome("pass_fail_now", False), outcome("public", True)
    public.test = rubric.Test("small_case", "a small case", 0.5, "public")
    [line, _] = results.gradescope(Report([public, hidden], 1.0))["tests"][1:]
    assert line["output"] == f"{results.FAILED}. {results.PUBLIC_PASS}"
    assert "test_small_case" not in line["output"]  # never pointed at a test that passes
    public.passed = False
    [line, _] = results.gradescope(Report([public, hidden], 1.0))["tests"][1:]
    assert line["output"].endswith("Its clause's public tests that fail: test_small_case")
    hidden.mistake = "a flipped sign"
    [line, details] = results.gradescope(Report([public, hidden], 1.0))["tests"][1:]
    assert "It names a known mistake: a flipped sign" in line["output"]
    assert "[3, 1]" not in line["output"] and details["output"] == "case [3, 1] gave 4"


def test_the_sheets_derivative_is_named_before_the_due_date_where_public_tests_pass(tmp_path):
    bug = submissions.HERE / "buggy" / "backward_add_derivative.py"
    folder = submissions.spliced(bug, tmp_path / "submission")
    report = grade(folder, questions=[LAB.question("rnn_backward")])
    lines = {e["name"]: e["output"] for e in results.gradescope(report)["tests"]}
    truncation = lines["rnn_backward: truncation: bptt_truncate=1 keeps the last step"]
    words = load_file(LAB.public_tests / "mistakes.py", fresh_name("mistakes_words"))
    assert truncation == (
        f"{results.FAILED}. It names a known mistake: {words.SHEET_DERIVATIVE}. "
        f"{results.PUBLIC_PASS}"
    )
    gradient = lines["rnn_backward: the gradient of L: matches finite differences (T=12)"]
    assert gradient.endswith("Its clause's public tests that fail: test_gradient_check")


def test_the_hidden_tests_name_each_buggy_submissions_mistake_in_its_question():
    """The list of the hidden tests' named mistakes (``hidden_mistakes``) finds, for each
    numpy buggy submission that names one, that mistake in the question it loses."""
    listed = hidden_mistakes()
    assert {n.question for n in listed} == {q.id for q in LAB.questions}
    for bug in NUMPY_BUGS:
        phrase = submissions.named_mistake(bug)
        question = submissions.question_lost(bug)
        if phrase:
            phrase = (named(phrase) or [phrase])[0]  # the name, without its phrasing
            assert any(phrase in n.mistake and n.question == question for n in listed), bug.stem
