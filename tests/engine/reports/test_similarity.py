"""Similar submissions: a planted copy is flagged, honest work is not (softmax: fast)."""

import itertools
import json
import zipfile

import pytest

from autograder import ROOT
from autograder.cli import main
from autograder.formats import manifest
from autograder.reports import similarity

pytest.importorskip("copydetect")

SOFTMAX = manifest.load(ROOT / "tests" / "assignments" / "softmax" / "assignment")
SIMILAR = ROOT / "tests" / "assignments" / "softmax" / "similar"
HONEST = ("honest_a", "honest_b", "honest_c")
"""Three softmax solutions written apart (vectorised twice, with loops once)."""
COPIED = "copied"
"""honest_a with every name of its own renamed, its messages reworded and a comment added."""
HOSTILE_ID = "<script>alert(1)<:script>"


def classroom(folder, copy=True):
    """The honest students, the copy (as a zip), two students who handed in the stubs."""
    folder.mkdir()
    for name in HONEST:
        (folder / name).mkdir()
        (folder / name / "softmax.py").write_text((SIMILAR / f"{name}.py").read_text())
    if copy:
        with zipfile.ZipFile(folder / f"{COPIED}.zip", "w") as archive:
            archive.write(SIMILAR / f"{COPIED}.py", "work/softmax.py")
    for name in ("stub_1", HOSTILE_ID):
        (folder / name).mkdir()
        (folder / name / "softmax.py").write_text((SOFTMAX.folder / "softmax.py").read_text())
    (folder / "unreadable.zip").write_text("not a zip")
    return folder


def test_the_copy_is_flagged_and_no_honest_pair_is(tmp_path):
    comparison = similarity.compare(classroom(tmp_path / "class"), assignment=SOFTMAX)
    assert [(p.module, p.students) for p in comparison.flagged] == [
        ("softmax", (COPIED, "honest_a"))
    ]
    assert comparison.flagged[0].score > 0.95  # renaming changes nothing
    scores = {frozenset(p.students): p.score for p in comparison.pairs}
    for pair in itertools.combinations(HONEST, 2):
        assert scores[frozenset(pair)] < similarity.THRESHOLD - 0.15, pair  # with a margin
    for other in HONEST[1:]:
        assert scores[frozenset((COPIED, other))] < similarity.THRESHOLD - 0.15, other
    assert comparison.compared == {"softmax": 6}
    assert list(comparison.skipped) == ["unreadable"]


def test_the_stubs_own_text_is_not_counted(tmp_path):
    """Two students who handed in the unfilled stubs share every line of it: that is no flag."""
    comparison = similarity.compare(
        classroom(tmp_path / "class", copy=False), assignment=SOFTMAX, threshold=0.01
    )
    stubs = [p for p in comparison.pairs if set(p.students) & {"stub_1", HOSTILE_ID}]
    assert stubs and all(p.score == 0 for p in stubs)
    assert frozenset(("stub_1", HOSTILE_ID)) in {frozenset(p.students) for p in stubs}


def test_the_report_is_written_self_contained_with_ids_escaped(tmp_path):
    reports = tmp_path / "out" / "reports"
    comparison = similarity.write(classroom(tmp_path / "class"), reports, assignment=SOFTMAX)
    text = (reports / "similarity.html").read_text()
    assert "<script" not in text.replace("&lt;script", "")  # the id is text, nothing runs
    assert "&lt;script&gt;alert(1)&lt;:script&gt;/softmax.py" in text
    assert "https://" not in text and "rnnlab-similarity-" not in text.split("Configuration")[0]
    assert "For the instructor only" in text
    assert "honest_a/softmax.py" in text and "copied/softmax.py" in text
    data = json.loads((reports / "similarity.json").read_text())
    assert data["threshold"] == similarity.THRESHOLD
    assert [p["students"] for p in data["pairs"]] == [[COPIED, "honest_a"]]
    assert len(data["pairs"]) == len(comparison.flagged)


def test_the_similarity_command_and_grade_all_flag(tmp_path, capsys, monkeypatch):
    folder = classroom(tmp_path / "class")
    gradebook = tmp_path / "out" / "gradebook.csv"
    monkeypatch.setenv("RNNLAB_ASSIGNMENT", str(SOFTMAX.path))
    manifest.current.cache_clear()
    try:
        assert main(["similarity", str(folder), "-o", str(gradebook)]) == 0
        out = capsys.readouterr().out
        assert "similar softmax: copied and honest_a (100%)" in out
        assert "1 pairs at or above 70%" in out
        assert main(["similarity", str(folder), "-o", str(gradebook), "--threshold", "0.3"]) == 0
        out = capsys.readouterr().out  # one cluster: the copy and the two it is near
        assert "similar copied, honest_a, honest_c: 3 pairs, most softmax: copied and" in out
        assert "3 pairs at or above 30%, in 1 clusters" in out
        with pytest.raises(SystemExit):
            main(["similarity", str(folder), "--threshold", "2"])
        pair = tmp_path / "pair"
        pair.mkdir()
        for name in ("honest_a", COPIED):
            (pair / name).mkdir()
            (pair / name / "softmax.py").write_text((SIMILAR / f"{name}.py").read_text())
        graded = tmp_path / "graded" / "gradebook.csv"
        assert main(["grade-all", str(pair), "-o", str(graded), "--similarity"]) == 0
        assert "similar softmax: copied and honest_a" in capsys.readouterr().out
        assert (graded.parent / "reports" / "similarity.json").is_file()
    finally:
        monkeypatch.undo()
        manifest.current.cache_clear()
    assert (tmp_path / "out" / "reports" / "similarity.html").is_file()


def test_without_copydetect_the_command_says_how_to_get_it(tmp_path, capsys, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_copydetect(name, *args, **kwargs):
        if name == "copydetect":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_copydetect)
    with pytest.raises(similarity.SimilarityError, match=r"rnnlab\[similarity\]"):
        similarity.compare(tmp_path, assignment=SOFTMAX)


GRADESCOPE_METADATA = """\
submission_900001:
  :submitters:
  - :name: Zoë Ångström
    :sid: '1'
  :created_at: 2026-12-01 20:00:00.000000000 -08:00
submission_900002:
  :submitters:
  - :name: Dana Smith
    :sid: '2'
  :created_at: 2026-12-01 21:00:00.000000000 -08:00
submission_900003:
  :submitters:
  - :name: Łukasz Wójcik
    :sid: '3'
  :created_at: 2026-12-01 22:00:00.000000000 -08:00
"""


def test_students_are_named_as_the_gradebook_names_them(tmp_path):
    """A Gradescope export: pairs name the metadata's students, as grade-all's rows do."""
    folder = tmp_path / "export"
    folder.mkdir()
    for number, name in (("900001", "honest_a"), ("900002", COPIED), ("900003", "honest_b")):
        (folder / f"submission_{number}").mkdir()
        (folder / f"submission_{number}" / "softmax.py").write_text(
            (SIMILAR / f"{name}.py").read_text()
        )
    (folder / "submission_metadata.yml").write_text(GRADESCOPE_METADATA)
    reports = tmp_path / "out" / "reports"
    comparison = similarity.write(folder, reports, assignment=SOFTMAX)
    named = [{"Dana Smith", "Zoë Ångström"}]
    assert [set(p.students) for p in comparison.flagged] == named
    _, pairs = similarity.read(reports)
    assert [set(p.students) for p in pairs] == named
    assert "Zoë Ångström/softmax.py" in (reports / "similarity.html").read_text()
    assert "submission_9" not in json.dumps(json.loads((reports / "similarity.json").read_text()))


def _pair(a, b, score, module="softmax"):
    return similarity.Pair(module, (a, b), (score, score), 10)


def test_clusters_join_students_by_chains_of_pairs_most_similar_first():
    pairs = [
        _pair("a", "b", 0.75),
        _pair("c", "d", 0.99),
        _pair("b", "e", 0.8, "loss"),
        _pair("f", "g", 0.5),  # under the threshold: no cluster
    ]
    found = similarity.clusters(pairs, 0.7)
    assert [c.students for c in found] == [("c", "d"), ("a", "b", "e")]
    assert [round(c.score, 2) for c in found] == [0.99, 0.8]
    assert [p.students for p in found[1].pairs] == [("b", "e"), ("a", "b")]  # most similar first
    assert found[1].modules == ["loss", "softmax"]
    assert [c.students for c in similarity.clusters(pairs, 0.78)] == [("c", "d"), ("b", "e")]
    assert similarity.clusters(pairs, 1.0) == []
