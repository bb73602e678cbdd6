"""HTML reports of a graded class: a page per student, one for the class (softmax: fast)."""

import csv
import dataclasses
import json
import shutil
import statistics
import urllib.parse
from html.parser import HTMLParser

import pytest

from autograder import ROOT
from autograder.batch import local as batch
from autograder.cli import main
from autograder.formats import manifest, results
from autograder.formats.gradebook import read_book, row_cells, write_gradebook
from autograder.model import mistakes
from autograder.reports import class_results
from autograder.reports import pages as reports

SOFTMAX = manifest.load(ROOT / "tests" / "assignments" / "softmax" / "assignment")
HOSTILE_ID = '<img src=x onerror="alert(1)">&amp;'
PRINTED = "<script>alert('printed')</script>"


class Page(HTMLParser):
    """A parsed page: its elements (tag, attributes, enclosing tags) and the text in each."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, tuple[str, ...]]] = []
        self.stack: list[tuple[str, dict]] = []
        self.texts: list[tuple[tuple[str, ...], dict, str]] = []
        self.feed(text)
        self.close()

    VOID = {"meta", "img", "br", "link", "input", "hr"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs, tuple(t for t, _ in self.stack)))
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        attrs = self.stack[-1][1] if self.stack else {}
        self.texts.append((tuple(t for t, _ in self.stack), attrs, data))

    def find(self, tag: str, cls: str | None = None) -> list[dict]:
        return [
            a
            for t, a, _ in self.elements
            if t == tag and (cls is None or cls in (a.get("class") or "").split())
        ]

    def text_in(self, tag: str, cls: str | None = None) -> list[str]:
        return [
            data
            for stack, attrs, data in self.texts
            if stack and stack[-1] == tag and (cls is None or cls in attrs.get("class", "").split())
        ]

    @property
    def text(self) -> str:
        return "".join(data for _, _, data in self.texts)


def self_contained(page: Page) -> None:
    """No script, nothing loaded from anywhere: images are data: URIs."""
    assert not page.find("script")
    assert not page.find("link")
    assert all(a["src"].startswith("data:image/png;base64,") for a in page.find("img"))
    assert all(not a.get("href", "").startswith(("http:", "https:", "//")) for a in page.find("a"))
    csp = [a for a in page.find("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]


def softmax_class(folder):
    """Six students of the softmax assignment: full marks, a printing bug with a named mistake,
    a module that does not import, a missing module, the stubs, and a hostile id."""
    folder.mkdir()
    reference = (SOFTMAX.reference / "softmax.py").read_text()

    def student(name, source):
        (folder / name).mkdir()
        (folder / name / "softmax.py").write_text(source)

    student("ann", reference)
    bug = reference.replace(
        "    return e / e.sum(axis=1, keepdims=True)",
        f"    print({PRINTED!r})\n    return e / e.sum(axis=1, keepdims=True)",
    ).replace("float(np.mean(_log_sum_exp(z)", "float(np.sum(_log_sum_exp(z)")
    assert bug.count("print(") == 1 and "np.sum(_log_sum_exp" in bug
    student("bob", bug)
    student("cat", reference + "\nimport a_module_that_is_not_there\n")
    (folder / "dan").mkdir()
    (folder / "dan" / "notes.py").write_text("# softmax.py is not here\n")
    student("eve", (SOFTMAX.folder / "softmax.py").read_text())
    student(HOSTILE_ID, reference)
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded (once for this module's tests), and its gradebook."""
    root = tmp_path_factory.mktemp("reports")
    gradebook = root / "out" / "gradebook.csv"
    batch.grade_all(softmax_class(root / "class"), gradebook, assignment=SOFTMAX, workers=2)
    return gradebook


@pytest.fixture
def class_copy(graded, tmp_path):
    """A copy of the graded class's gradebook and results, free to change."""
    shutil.copytree(graded.parent, tmp_path / "out")
    return tmp_path / "out" / "gradebook.csv"


def test_every_student_gets_a_page_and_the_class_one(graded, tmp_path):
    gradebook = tmp_path / "out" / "gradebook.csv"
    shutil.copytree(graded.parent, gradebook.parent)
    written = reports.write(gradebook, SOFTMAX)
    folder = gradebook.parent / "reports"
    assert written.class_html == folder / "class.html"
    assert written.class_png.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in (folder / "students").iterdir()) == sorted(
        f"{s}.html" for s in ("ann", "bob", "cat", "dan", "eve", HOSTILE_ID)
    )
    for path in [written.class_html, *written.students]:
        self_contained(Page(path.read_text()))


def test_a_students_page_shows_scores_feedback_printing_and_isolation(class_copy):
    reports.write(class_copy, SOFTMAX)
    page = Page((class_copy.parent / "reports" / "students" / "bob.html").read_text())
    rows = page.find("tr", "question")
    assert len(rows) == len(SOFTMAX.questions)
    assert "13 / 17" in page.text
    feedback = "\n".join(page.text_in("pre", "feedback"))
    assert "This is what the sum over the batch instead of the mean gives" in feedback
    assert "expected log(4)" in feedback  # a public test's feedback
    printed = page.text_in("pre", "printed")
    assert printed and all(text.strip() == PRINTED for text in printed)  # shown, as text
    assert PRINTED not in feedback  # printing is apart from the feedback
    notes = page.text_in("pre")[-1]
    assert notes.startswith("sandbox: ")
    assert "similar" not in page.text.lower()  # the similarity report is the instructor's


def test_a_module_that_does_not_import_is_said_once_per_question(class_copy):
    reports.write(class_copy, SOFTMAX)
    page = Page((class_copy.parent / "reports" / "students" / "cat.html").read_text())
    feedback = page.text_in("pre", "feedback")
    assert len(feedback) == len(SOFTMAX.questions)
    assert all("fails to import" in text for text in feedback)


def test_the_class_page_has_histograms_pass_rates_mistakes_and_import_failures(class_copy):
    written = reports.write(class_copy, SOFTMAX)
    page = Page(written.class_html.read_text())
    questions = [a["data-question"] for a in page.find("figure", "question")]
    assert questions == [q.id for q in SOFTMAX.questions]  # one histogram per question
    assert len(page.find("figure", "total")) == 1
    assert len(page.find("img")) == len(SOFTMAX.questions) + 1
    # each histogram's title is drawn in its picture, once: no caption says it again
    assert not page.find("figcaption")
    assert all(a["alt"].startswith("histogram") for a in page.find("img"))

    tests = [t for q in SOFTMAX.questions for t in q.tests]
    rates = [
        (cells[0], cells[1])
        for cells in _rows(written.class_html.read_text(), "pass-rate")
        if len(cells) >= 2
    ]
    assert len(rates) == len(tests)  # a "(details)" entry is not a test
    shares = [int(p) / int(g) for p, g in (r[1].split(" / ") for r in rates)]
    assert shares == sorted(shares)  # most failed first
    assert {r[1].split(" / ")[1] for r in rates} == {"6"}

    mistakes = _rows(written.class_html.read_text(), "mistake")
    assert ["softmax_forward", "the sum over the batch instead of the mean", "1", "bob"] in [
        m[:4] for m in mistakes
    ]
    failures = {(r[0], r[1]) for r in _rows(written.class_html.read_text(), "import-failure")}
    assert failures == {(s, q.id) for s in ("cat", "dan") for q in SOFTMAX.questions}
    why = {r[0]: r[2] for r in _rows(written.class_html.read_text(), "import-failure")}
    assert "fails to import" in why["cat"] and "is missing from the submission" in why["dan"]
    assert "eve" not in {s for s, _ in failures}  # the stubs import: not an import failure
    assert "6 students graded" in page.text


def test_hostile_ids_and_output_stay_text(class_copy):
    written = reports.write(class_copy, SOFTMAX)
    for path in [written.class_html, *written.students]:
        text = path.read_text()
        page = Page(text)
        assert not page.find("script")
        assert all(set(a) == {"src", "alt"} for a in page.find("img"))  # no onerror
        assert PRINTED not in text and HOSTILE_ID not in text  # only escaped
    page = Page(written.class_html.read_text())
    assert HOSTILE_ID in page.text  # shown as the text it is
    links = {a["href"] for a in page.find("a")}
    assert "students/%3Cimg%20src%3Dx%20onerror%3D%22alert%281%29%22%3E%26amp%3B.html" in links
    own = Page((class_copy.parent / "reports" / "students" / f"{HOSTILE_ID}.html").read_text())
    assert HOSTILE_ID in own.text_in("h1")[0]


def test_rows_not_graded_are_listed_apart_and_left_out(class_copy):
    with class_copy.open(newline="") as handle:
        rows = list(csv.reader(handle))
    status = rows[0].index("status")
    for row in rows[1:]:
        if row[0] == "ann":
            row[status] = "timeout: not graded within 15 s"
    with class_copy.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    written = reports.write(class_copy, SOFTMAX)
    text = written.class_html.read_text()
    assert [r[:2] for r in _rows(text, "not-graded")] == [
        ["ann", "timeout: not graded within 15 s"]
    ]
    assert "5 students graded" in Page(text).text
    assert {r[1].split(" / ")[1] for r in _rows(text, "pass-rate")} == {"5"}
    own = Page((class_copy.parent / "reports" / "students" / "ann.html").read_text())
    assert "Not graded: timeout" in own.text and not own.text_in("pre", "feedback")


def _similar(folder, pairs, threshold=0.7):
    """A ``similarity.json`` of ``pairs`` ``(first, second, overlap)``, as ``similarity``
    writes it."""
    folder.mkdir(exist_ok=True)
    data = {
        "threshold": threshold,
        "pairs": [
            {"module": "softmax", "students": [a, b], "similarity": [o, o - 0.05], "tokens": 9}
            for a, b, o in pairs
        ],
    }
    (folder / "similarity.json").write_text(json.dumps(data))


def test_similar_submissions_are_grouped_into_clusters_most_similar_first(class_copy):
    folder = class_copy.parent / "reports"
    pairs = [
        ("cat", "dan", 0.8),
        ("ann", HOSTILE_ID, 1.0),
        ("bob", "cat", 0.9),
        ("eve", "zed", 0.75),  # zed is in no gradebook: named, never linked
    ]
    _similar(folder, pairs)
    written = reports.write(class_copy, SOFTMAX, most=2)
    text = written.class_html.read_text()
    clusters = _rows(text, "similar-cluster")
    assert [c[:3] for c in clusters] == [
        [f"{HOSTILE_ID}, ann", "softmax", "100%"],  # in order of id
        ["bob, cat, dan", "softmax", "90%"],
    ]
    assert clusters[1][3].startswith("2 pairs")
    assert "1 more clusters (1 pairs) not shown" in Page(text).text
    for href in {a["href"] for a in Page(text).find("a")} - {"similarity.html"}:
        assert (folder / urllib.parse.unquote(href)).is_file(), href  # every link has its page
    assert "zed" not in {a["href"] for a in Page(text).find("a")}
    # the instructor's threshold: the 80% pair is no longer one, so dan leaves the cluster
    written = reports.write(class_copy, SOFTMAX, similar_at=0.85)
    clusters = _rows(written.class_html.read_text(), "similar-cluster")
    assert [c[0] for c in clusters] == [f"{HOSTILE_ID}, ann", "bob, cat"]
    for path in written.students:
        assert "similarity" not in path.read_text()


def test_the_report_command_takes_the_similarity_threshold_and_cap(class_copy, capsys, monkeypatch):
    _similar(class_copy.parent / "reports", [("ann", "bob", 0.95), ("cat", "dan", 0.8)])
    monkeypatch.setenv("RNNLAB_ASSIGNMENT", str(SOFTMAX.path))
    manifest.current.cache_clear()
    try:
        argv = ["report", str(class_copy), "--similarity-threshold", "0.9"]
        assert main(argv) == 0
        text = (class_copy.parent / "reports" / "class.html").read_text()
        assert [c[0] for c in _rows(text, "similar-cluster")] == ["ann, bob"]
        assert main(["report", str(class_copy), "--similar-clusters", "1"]) == 0
        text = (class_copy.parent / "reports" / "class.html").read_text()
        assert [c[0] for c in _rows(text, "similar-cluster")] == ["ann, bob"]
        assert "1 more clusters (1 pairs) not shown" in Page(text).text
        with pytest.raises(SystemExit):
            main(["report", str(class_copy), "--similar-clusters", "0"])
    finally:
        monkeypatch.undo()
        manifest.current.cache_clear()


def restamp(gradebook, **changes):
    """The gradebook's rows with ``changes`` (student -> ``Row`` fields), as grade-all would
    have written them: lateness, names."""
    book = read_book(gradebook, SOFTMAX)
    rows = [dataclasses.replace(r, **changes.get(r.student, {})) for r in book.rows]
    write_gradebook(gradebook, SOFTMAX, [row_cells(r, SOFTMAX) for r in rows])


def test_the_class_page_counts_lateness_and_an_on_time_student_hears_nothing_of_it(class_copy):
    due = "2026-12-01T23:59:00-08:00"
    restamp(
        class_copy,
        ann={"late_hours": 0.0, "penalty": 0.0, "submitted_at": due, "name": "Zoë Ångström"},
        bob={"late_hours": 20.02, "penalty": 10.0, "submitted_at": due, "name": "Dana Smith"},
        cat={"late_hours": 0.0, "extended_due": "2026-12-04T23:59-08:00"},
    )
    book = read_book(class_copy, SOFTMAX)
    written = reports.write(class_copy, SOFTMAX)
    ann = Page((class_copy.parent / "reports" / "students" / "ann.html").read_text())
    assert "late" not in ann.text.lower()
    assert not [a for a in ann.find("p") if a.get("id") == "late"]
    assert "Zoë Ångström" in ann.text_in("h1")[0]
    bob = Page((class_copy.parent / "reports" / "students" / "bob.html").read_text())
    assert "handed in 20.02 hours late: 10% off, 11.7 after the penalty" in bob.text
    text = written.class_html.read_text()
    table = {r[1]: r for r in _rows(text, "student")}
    assert table["bob"] == ["Dana Smith", "bob", "13", "20.02 h late, 10% off", "11.7", "graded"]
    assert table["ann"][:5] == ["Zoë Ångström", "ann", "17", "", "17"]
    assert table["cat"][3] == "extended to 2026-12-04T23:59-08:00"
    for row in book.rows:  # the class page says what the gradebook says, row by row
        assert table[row.student][4] == f"{row.adjusted_total:g}"
    graded = [r.adjusted_total for r in book.rows if r.status == "graded"]
    overview = Page(text).text
    assert f"mean {statistics.mean(graded):.2f}" in overview
    assert "after lateness (1 handed in late)" in overview
    totals = [a for a in Page(text).find("figure", "total")]
    assert [a["data-question"] for a in totals] == ["total after lateness"]


def test_named_mistakes_are_counted_whatever_their_phrasing(class_copy):
    results_path = class_copy.parent / "results" / "eve.json"
    data = json.loads(results_path.read_text())
    failed = next(t for t in data["tests"] if t["status"] == "failed" and t["max_score"])
    cause = "MultiRNNCell([drop] * lstm_layers) repeats one cell object, so its layers share one"
    failed["output"] = f"with lstm_layers=2 the LSTM should have 2 kernels. A likely cause: {cause}"
    results_path.write_text(json.dumps(data))
    written = reports.write(class_copy, SOFTMAX)
    mistakes_seen = {(m[1], m[3]) for m in _rows(written.class_html.read_text(), "mistake")}
    assert (cause, "eve") in mistakes_seen
    assert ("the sum over the batch instead of the mean", "bob") in mistakes_seen


def test_results_entries_merge_and_printing_splits(tmp_path):
    path = tmp_path / "r.json"
    detail = "expected 1, got 2. This is what a flipped sign gives\n"
    detail += f"{results.PRINTED}\nhello"
    path.write_text(
        json.dumps(
            {
                "output": "sandbox: none",
                "tests": [
                    {
                        "name": "softmax_forward: t",
                        "score": 0,
                        "max_score": 2,
                        "status": "failed",
                        "output": "failed; what went wrong is shown after the due date",
                        "visibility": "visible",
                    },
                    {
                        "name": "softmax_forward: t (details)",
                        "score": 0,
                        "max_score": 0,
                        "status": "failed",
                        "output": detail,
                        "visibility": "after_due_date",
                    },
                    {"name": "other", "score": 1, "max_score": 1, "status": "passed"},
                ],
            }
        )
    )
    tests, notes = class_results.read_results(path, SOFTMAX)
    assert notes == "sandbox: none"
    assert [(t.name, t.question, t.max_score) for t in tests] == [
        ("softmax_forward: t", "softmax_forward", 2.0),
        ("other", "", 1.0),
    ]
    first = tests[0]
    assert first.feedback == "expected 1, got 2. This is what a flipped sign gives"
    assert first.printed == "hello" and first.visibility == "after_due_date"
    assert mistakes.named(first.feedback) == ["a flipped sign"]


def test_the_report_command(class_copy, capsys, monkeypatch):
    monkeypatch.setenv("RNNLAB_ASSIGNMENT", str(SOFTMAX.path))
    manifest.current.cache_clear()
    try:
        assert main(["report", str(class_copy)]) == 0
        assert main(["report", str(class_copy.parent / "nothing.csv")]) == 2
    finally:
        monkeypatch.undo()
        manifest.current.cache_clear()
    out = capsys.readouterr()
    assert "6 student pages" in out.out and "no such gradebook" in out.err
    assert (class_copy.parent / "reports" / "class.png").is_file()


class _Table(HTMLParser):
    """The cells' text of the rows of one class."""

    def __init__(self, cls: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cls, self.rows, self.row, self.cell = cls, [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and self.cls in (dict(attrs).get("class") or "").split():
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self.row is not None and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _rows(text: str, cls: str) -> list[list[str]]:
    table = _Table(cls)
    table.feed(text)
    return table.rows
