"""The ``rnnlab`` command line: exit codes, one-line errors, files written."""

import json
import subprocess
import sys

import pytest

from autograder.cli import main


def test_lab_sine_writes_plot_and_metrics(tmp_path, capsys):
    assert main(["lab", "sine", "--better", "--epochs", "3", "-o", str(tmp_path)]) == 0
    metrics = json.loads((tmp_path / "sine.json").read_text())
    assert [h["epoch"] for h in metrics["history"]] == [0, 1, 2, 3]
    assert metrics["history"][-1]["loss"] < metrics["history"][0]["loss"]
    assert (tmp_path / "sine.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "epoch   3/3" in capsys.readouterr().out


def test_lab_sine_on_the_stubs_says_what_to_fill_in(tmp_path, capsys):
    assert main(["lab", "sine", "--impl", "assignment", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "your code here" in err and "fill in" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv, words",
    [
        (["lab", "sine", "--impl", "/no/such/folder"], ["/no/such/folder", "not a folder"]),
        (["lab", "sentiment", "--data", "{tmp}"], ["reviews.txt", "rnnlab data fetch"]),
        (["data", "fetch", "--dest", "{tmp}/d", "--from", "{tmp}"], ["reviews.txt"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, words):
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("rnnlab: error:")
    for word in words:
        assert word in err
    assert not (tmp_path / "d" / "reviews.txt").exists()


def test_stubs_check_passes_on_the_repo():
    assert main(["stubs", "--check"]) == 0


def test_help_lists_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("usage: rnnlab ")
    # Each command heads a line of the COMMAND list, indented by four (wrapped help by more).
    lines = result.stdout.splitlines()
    listed = [line.split()[0] for line in lines if line[:4] == "    " and line[4:5] != " "]
    assert listed == [
        "lab",
        "data",
        "grade",
        "grade-all",
        "cluster",
        "report",
        "similarity",
        "regrade",
        "export",
        "check",
        "mutate",
        "variants",
        "build",
        "stubs",
        "validate",
        "new",
    ]
    assert "run one half of the lab end to end" in result.stdout


def test_check_passes_on_the_reference_and_fails_on_the_stubs(capsys):
    assert main(["check", "reference", "-q", "splits"]) == 0
    assert main(["check", "assignment", "-q", "splits"]) == 1
    out = capsys.readouterr().out
    assert "NotImplementedError" in out and "splits" in out


def test_check_names_the_questions_when_one_is_unknown(capsys):
    assert main(["check", "reference", "-q", "nope"]) == 2
    assert "rnn_backward" in capsys.readouterr().err


def test_grade_writes_results_and_exits_0_whatever_the_score(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip at all")
    out = tmp_path / "results.json"
    assert main(["grade", str(junk), "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["score"] == 0
    said = [t for t in data["tests"] if "neither a folder nor a zip" in t["output"]]
    later = [t for t in data["tests"] if t not in said]  # hidden: pass/fail now, reason later
    assert said and all("shown after the due date" in t["output"] for t in later)


def test_grade_of_nothing_is_an_error(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_new_writes_a_skeleton_that_validates_and_grades(tmp_path, capsys, own_assignment):
    """``rnnlab new``: a second assignment from nothing, checked and graded by the engine."""
    target = tmp_path / "course"
    assert main(["new", str(target)]) == 0
    manifest_path = target / "assignment" / "rnnlab.toml"
    assert main(["validate", str(manifest_path)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["--assignment", str(manifest_path), "grade", str(target / "assignment")]) == 0
    assert "score 0 / " in capsys.readouterr().out
    assert main(["new", str(target)]) == 2  # not over an assignment that exists


def test_validate_fails_on_a_reference_that_fails_a_test(tmp_path, capsys, own_assignment):
    target = tmp_path / "course"
    assert main(["new", str(target)]) == 0
    module = next((target / "reference").glob("[!_]*.py"))
    text = module.read_text()
    body = text[text.index("# BEGIN SOLUTION") : text.index("# END SOLUTION")]
    indent = body.splitlines()[1][: len(body.splitlines()[1]) - len(body.splitlines()[1].lstrip())]
    module.write_text(text.replace(body, f"# BEGIN SOLUTION\n{indent}return None\n{indent}"))
    assert main(["validate", str(target / "assignment")]) == 1


def test_validate_lists_a_hidden_test_that_crashes_on_a_wrong_answer(
    tmp_path, capsys, own_assignment
):
    """A check that indexes or computes with the answer before looking at it: a grader
    error for the student who returns ``None``, which validate finds before they do."""
    target = tmp_path / "course"
    assert main(["new", str(target)]) == 0
    hidden = next((target / "reference" / "hidden_tests").glob("[!_]*.py"))
    text = hidden.read_text()
    body = text[text.index("    @properties") :]
    fragile = (
        "    got = sub.stats.mean([1.0, 2.0])\n"
        "    assert abs(got - 1.5) < 1e-9  # abs(None - 1.5) is a TypeError, not a verdict\n"
    )
    hidden.write_text(text.replace(body, fragile))
    capsys.readouterr()
    assert main(["validate", str(target / "assignment")]) == 1
    err = capsys.readouterr().err
    assert "1 hidden test crashes on a wrong answer" in err
    assert "  mean.mean_matches_reference: TypeError: unsupported operand" in err
    assert "on None" in err
