"""The grading engine end to end: full marks, zeros, bugs caught where they are, no harm done."""

import json
import os
import secrets
import signal
import zipfile
from pathlib import Path

import pytest
import submissions

from autograder import ROOT
from autograder.formats import results
from autograder.formats.manifest import current as current_assignment
from autograder.grading.grade import grade
from autograder.sandbox import Sandbox, isolation

LAB = current_assignment()

FAST = {"numpy": 6.0}  # enough for any honest answer; keeps the endless loops short


def by_question(report) -> dict[str, float]:
    return {q: sum(o.score for o in outcomes) for q, outcomes in report.by_question().items()}


def questions_on(modules):
    return [q for q in LAB.questions if q.module in modules]


@pytest.fixture(scope="module")
def reference_report():
    return grade(ROOT / "reference")


def test_the_reference_scores_full_marks(reference_report):
    failed = [f"{o.name}: {o.output}" for o in reference_report.outcomes if not o.passed]
    assert failed == []
    assert reference_report.score == LAB.total == 100


def test_results_json_is_gradescopes_format(reference_report, tmp_path):
    path = tmp_path / "results.json"
    results.write_json(reference_report, path)
    data = json.loads(path.read_text())
    assert data["score"] == 100 and data["execution_time"] > 0
    assert len(data["tests"]) == sum(len(q.tests) for q in LAB.questions)
    ids = {q.id for q in LAB.questions}
    for test in data["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["name"].split(":")[0] in ids
        assert test["status"] == "passed" and test["score"] == test["max_score"] > 0
        assert test["visibility"] in ("visible", "after_due_date")
    assert "central differences" not in data["output"]


def test_the_stubs_score_zero_with_a_reason():
    report = grade(ROOT / "assignment")
    assert report.score == 0
    for outcome in report.outcomes:
        assert "NotImplementedError" in outcome.output and outcome.question.id in outcome.output


@pytest.mark.parametrize("bug", submissions.BUGGY, ids=lambda p: p.stem)
def test_a_buggy_submission_loses_points_on_its_question_only(bug, tmp_path):
    lost = submissions.question_lost(bug)
    folder = submissions.spliced(bug, tmp_path / "submission")
    # Questions on other modules see byte-identical reference files: grading them
    # would repeat the reference's full marks, so only this module's questions run.
    report = grade(folder, questions=questions_on(submissions.modules_touched(bug)))
    assert report.grader_errors == []  # a student's mistake is never the grader's fault
    scores = by_question(report)
    full = {q.id: q.points for q in LAB.questions if q.id in scores}
    assert scores[lost] < full[lost], f"{bug.stem} was not caught"
    assert {q: s for q, s in scores.items() if q != lost} == {
        q: p for q, p in full.items() if q != lost
    }
    phrase = submissions.named_mistake(bug)
    if phrase:
        feedback = "\n".join(o.output for o in report.outcomes if not o.passed)
        assert phrase in feedback, feedback
    own = submissions.tests_failed(bug)
    if own is not None:  # one bug, its own clause's tests; any other failure points there
        failed = {o.test.id: o.output for o in report.outcomes if not o.passed}
        assert own <= set(failed), f"{sorted(own - set(failed))} did not fail"
        titles = {t.id: t.title for q in LAB.questions for t in q.tests}
        for test, output in failed.items():
            if test not in own:
                assert any(f"see '{titles[t]}'" in output for t in own), (test, output)


@pytest.mark.parametrize("fragment", submissions.ALTERNATIVE, ids=lambda p: p.stem)
def test_a_correct_solution_in_another_style_gets_full_marks(fragment, tmp_path):
    folder = submissions.spliced(fragment, tmp_path / "submission")
    report = grade(folder, questions=questions_on(submissions.modules_touched(fragment)))
    failed = [f"{o.name}: {o.output}" for o in report.outcomes if not o.passed]
    assert failed == []


@pytest.mark.parametrize(
    "group", submissions.packed(submissions.ALTERNATIVE), ids=lambda g: "+".join(p.stem for p in g)
)
def test_rnnlab_check_passes_every_public_test_of_every_alternative(group, tmp_path, capsys):
    from autograder.cli import main

    folder = submissions.spliced(group, tmp_path / "submission")
    questions = [
        q.id for q in questions_on({m for f in group for m in submissions.modules_touched(f)})
    ]
    assert main(["check", str(folder), *(a for q in questions for a in ("-q", q))]) == 0
    assert "points" in capsys.readouterr().out


@pytest.mark.parametrize("folder", submissions.HOSTILE, ids=lambda p: p.name)
def test_a_hostile_submission_gains_nothing(folder, tmp_path):
    submission = submissions.hostile(folder, tmp_path / "submission")
    modules = submissions.hostile_modules(folder)
    report = grade(
        submission, questions=questions_on(modules), seconds=FAST, hidden_paths=[tmp_path / "out"]
    )
    assert report.score == 0
    assert all(o.output for o in report.outcomes)  # each failure says why
    names, hides = submissions.hostile_feedback(folder)
    assert [o.test.id for o in report.outcomes if not all(n in o.output for n in names)] == []
    results.write_json(report, tmp_path / "results.json")  # all a student is shown
    shown = (tmp_path / "results.json").read_text()
    assert [word for word in hides if word in shown] == []


def marked(marker: str) -> list[int]:
    """Live processes whose command line holds ``marker`` (made unique by the test)."""
    pids = []
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and marker.encode() in Path(f"/proc/{name}/cmdline").read_bytes():
                status = Path(f"/proc/{name}/stat").read_text()
                if status.rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                    pids.append(int(name))
        except OSError:
            pass
    return pids


def test_a_hostile_submission_leaves_no_process_and_no_file(tmp_path, monkeypatch):
    if isolation() != "namespaces":
        pytest.skip("without namespaces a detached process can outlive its sandbox")
    # A token of this test's own in the submission's marker and file name: other graders
    # and test runs on the machine grade the same submission at the same time.
    token = secrets.token_hex(6)
    marker = f"rnnlab-hostile-leftover-{token}"
    was_here = Path(f"/tmp/rnnlab-hostile-was-here-{token}")  # the path the submission opens
    folder = submissions.HERE / "hostile" / "leftover_process"
    submission = submissions.hostile(folder, tmp_path / "s")
    module = submission / "vocab.py"  # the token, written into the submission's own code
    reads = 'TOKEN = os.environ.get("RNNLAB_HOSTILE_TOKEN", "")'
    assert reads in module.read_text()
    module.write_text(module.read_text().replace(reads, f"TOKEN = {token!r}"))
    # Looked for as each sandbox closes, before it kills what it started: the process the
    # import detached exists by then (Popen returns after its exec), whatever the timing.
    seen, close = [], Sandbox.close

    def closing(box: Sandbox) -> None:
        seen.extend(marked(marker))
        close(box)

    monkeypatch.setattr(Sandbox, "close", closing)
    grade(submission, questions=questions_on(["vocab"]))
    survivors = marked(marker)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    was_there = was_here.exists()
    was_here.unlink(missing_ok=True)
    assert seen, "the submission's detached process never started"
    assert survivors == []
    assert not was_there


def test_reading_around_finds_nothing_to_copy(tmp_path):
    if isolation() != "namespaces":
        pytest.skip("without namespaces the grading files are readable: results say so")
    folder = submissions.HERE / "hostile" / "reads_around"
    report = grade(submissions.hostile(folder, tmp_path / "s"), questions=questions_on(["vocab"]))
    assert "found nothing to copy: []" in report.outcomes[0].output


def test_grading_is_reproducible(tmp_path):
    bug = submissions.HERE / "buggy" / "vocab_alphabetical_ties.py"
    folder = submissions.spliced(bug, tmp_path / "s")
    runs = [results.gradescope(grade(folder, questions=questions_on(["vocab"]))) for _ in range(2)]
    for run in runs:
        run.pop("execution_time")
    assert runs[0] == runs[1]


def zip_of(path, members: dict[str, bytes], links: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, target)
    return path


def reference_files(prefix: str = "") -> dict[str, bytes]:
    return {f"{prefix}{p.name}": p.read_bytes() for p in (ROOT / "reference").glob("[!_]*.py")}


@pytest.mark.parametrize("prefix", ["", "lab/"], ids=["top level", "one folder"])
def test_a_zip_grades_like_the_folder(tmp_path, prefix):
    # Also the shape of the notebook's export: the notebook beside the modules.
    extra = {f"{prefix}lab.ipynb": b"{}", f"{prefix}notes.txt": b"hi"}
    path = zip_of(tmp_path / "s.zip", {**reference_files(prefix), **extra})
    report = grade(path, questions=questions_on(["vocab", "splits"]))
    assert report.score == report.max_score > 0


@pytest.mark.parametrize(
    "case, words",
    [
        ("not a zip", "neither a folder nor a zip"),
        ("dot-dot path", "unsafe path"),
        ("absolute path", "unsafe path"),
        ("link", "link"),
    ],
)
def test_a_malformed_submission_scores_zero_with_a_message(tmp_path, case, words):
    path = tmp_path / "s.zip"
    if case == "not a zip":
        path.write_text("print('hello')")
    elif case == "dot-dot path":
        zip_of(path, {**reference_files(), "../evil.py": b"x = 1"})
    elif case == "absolute path":
        zip_of(path, {**reference_files(), "/tmp/evil.py": b"x = 1"})
    else:
        zip_of(path, reference_files(), links={"labels2.py": "/etc/passwd"})
    report = grade(path, questions=questions_on(["vocab"]))
    assert report.score == 0
    assert all(words in o.output for o in report.outcomes)
    assert not (tmp_path.parent / "evil.py").exists()


def test_broken_modules_cost_their_own_question(tmp_path):
    files = reference_files()
    files["vocab.py"] = b"def build_vocab(:\n"  # a syntax error
    files["labels.py"] = "# caf\xe9\n".encode("latin-1")  # not UTF-8
    del files["splits.py"]
    report = grade(
        zip_of(tmp_path / "s.zip", files),
        questions=questions_on(["vocab", "labels", "splits", "padding"]),
    )
    scores = by_question(report)
    assert scores == {"vocab": 0, "labels": 0, "splits": 0, "padding": 10}
    outputs = {o.question.id: o.output for o in report.outcomes}
    assert "SyntaxError" in outputs["vocab"] and "fails to import" in outputs["vocab"]
    assert "not UTF-8" in outputs["labels"]
    assert "splits.py is missing" in outputs["splits"]


def test_an_empty_zip_is_all_missing(tmp_path):
    report = grade(
        zip_of(tmp_path / "s.zip", {"README.txt": b"nothing"}), questions=questions_on(["vocab"])
    )
    assert report.score == 0 and "missing" in report.outcomes[0].output
