"""A Gradescope-shaped class through everything an instructor runs: ``grade-all`` with metadata
(non-ASCII names), a late policy, one late and one extended student, ``--similarity``; then
``report`` and the Canvas export. Every report is read back against the gradebook's own cells,
row by row (softmax: fast)."""

import csv
import statistics
import urllib.parse
from html.parser import HTMLParser

import pytest

from autograder import ROOT
from autograder.cli import ASSIGNMENT_ENV, main
from autograder.formats import manifest

pytest.importorskip("copydetect")

SOFTMAX_DIR = ROOT / "tests" / "assignments" / "softmax"
SOFTMAX = manifest.load(SOFTMAX_DIR / "assignment")
SIMILAR = SOFTMAX_DIR / "similar"
DUE = "2026-12-01T23:59-08:00"

STUDENTS = {
    # folder: (name, sid, handed in, source, metadata's own due date)
    "submission_900001": ("Zoë Ångström", "1", "2026-12-01 20:00:00 -08:00", "reference", None),
    "submission_900002": ("Dana Smith", "2", "2026-12-02 09:00:00 -08:00", "reference", None),
    "submission_900003": ("Łukasz Wójcik", "3", "2026-12-03 09:00:00 -08:00", "reference", "ext"),
    "submission_900004": ("José Núñez", "4", "2026-12-01 10:00:00 -08:00", "honest_a", None),
    "submission_900005": ("Chen Wei 陈伟", "5", "2026-12-01 11:00:00 -08:00", "copied", None),
    "submission_900006": ("Ann O'Neil", "6", "2026-12-01 12:00:00 -08:00", "sum", None),
}
"""Dana is 9 hours late (one started day: 10% off); Łukasz is 33 hours after the class's due
date but within his extension; Chen's code is José's renamed."""
EXTENDED = "2026-12-04 23:59:00 -08:00"


def source(kind: str) -> str:
    if kind == "reference":
        return (SOFTMAX.reference / "softmax.py").read_text()
    if kind == "sum":  # a known mistake, named by its test
        text = (SOFTMAX.reference / "softmax.py").read_text()
        return text.replace("float(np.mean(_log_sum_exp(z)", "float(np.sum(_log_sum_exp(z)")
    return (SIMILAR / f"{kind}.py").read_text()


def gradescope_export(folder):
    folder.mkdir()
    metadata = []
    for submission, (name, sid, when, kind, due) in STUDENTS.items():
        (folder / submission).mkdir()
        (folder / submission / "softmax.py").write_text(source(kind))
        metadata += [
            f"{submission}:",
            "  :submitters:",
            f'  - :name: "{name}"',
            f"    :sid: '{sid}'",
            f"    :email: s{sid}@example.edu",
            f"  :created_at: {when}",
        ]
        if due:
            metadata.append(f"  :due_date: {EXTENDED}")
    (folder / "submission_metadata.yml").write_text("\n".join(metadata) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """The class graded, compared, reported and exported, through the command line."""
    root = tmp_path_factory.mktemp("agreement")
    export = gradescope_export(root / "export")
    gradebook = root / "grades" / "gradebook.csv"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ASSIGNMENT_ENV, str(SOFTMAX.path))
        manifest.current.cache_clear()
        try:
            grade = ["grade-all", str(export), "-o", str(gradebook), "--workers", "2"]
            policy = ["--due", DUE, "--penalty-per-day", "10", "--similarity"]
            assert main([*grade, *policy]) == 0
            assert main(["report", str(gradebook)]) == 0
            canvas = root / "canvas.csv"
            assert main(["export", "canvas", str(gradebook), "-o", str(canvas)]) == 0
        finally:
            manifest.current.cache_clear()
    with gradebook.open(newline="", encoding="utf-8") as handle:
        book = list(csv.DictReader(handle))
    return gradebook, book, canvas


class Links(HTMLParser):
    """Every link of a page, and the text of each table row of a class."""

    def __init__(self, text: str, cls: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.cls, self.links, self.rows, self.row, self.cell = cls, [], [], None, None
        self.texts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(attrs["href"])
        if tag == "tr" and self.cls and self.cls in (attrs.get("class") or "").split():
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None and self.row is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        self.texts.append(data)
        if self.cell is not None:
            self.cell += data


def test_the_gradebook_names_every_student_and_counts_lateness_from_their_own_due_date(
    everything,
):
    _, book, _ = everything
    by_name = {r["name"]: r for r in book}
    assert list(by_name) == [name for name, *_ in STUDENTS.values()]
    assert all(r["student"] == r["name"] for r in book)  # named by the metadata, not folder
    dana, lukasz = by_name["Dana Smith"], by_name["Łukasz Wójcik"]
    assert (dana["late_hours"], dana["penalty_pct"], dana["adjusted_total"]) == (
        "9.02",
        "10",
        "15.3",
    )
    assert lukasz["extended_due"] == "2026-12-04T23:59-08:00"
    assert (lukasz["late_hours"], lukasz["penalty_pct"], lukasz["adjusted_total"]) == (
        "0.00",
        "0",
        "17",
    )
    assert by_name["Ann O'Neil"]["total"] == "13"  # the named mistake fails 4 points' tests


def test_the_class_page_agrees_with_the_gradebook_cell_by_cell(everything):
    gradebook, book, _ = everything
    reports = gradebook.parent / "reports"
    text = (reports / "class.html").read_text(encoding="utf-8")
    table = Links(text, "student").rows
    assert len(table) == len(book)
    for row, cells in zip(book, table, strict=True):
        late = []
        if row["extended_due"]:
            late.append(f"extended to {row['extended_due']}")
        if float(row["late_hours"]) > 0 and float(row["penalty_pct"]) > 0:
            late.append(f"{row['late_hours']} h late, {row['penalty_pct']}% off")
        assert cells == [
            row["name"],
            row["student"],
            row["total"],
            "; ".join(late),
            row["adjusted_total"],
            row["status"],
        ]
    grades = [float(r["adjusted_total"]) for r in book]
    said = "".join(Links(text).texts)
    assert f"mean {statistics.mean(grades):.2f}, median {statistics.median(grades):g}" in said
    assert f"highest {max(grades):g}, lowest {min(grades):g}" in said
    mistakes = Links(text, "mistake").rows
    assert [m[1:4] for m in mistakes] == [
        ["the sum over the batch instead of the mean", "1", "Ann O'Neil"]
    ]


def test_every_link_of_the_class_page_has_its_page_and_every_page_its_student(everything):
    gradebook, book, _ = everything
    reports = gradebook.parent / "reports"
    text = (reports / "class.html").read_text(encoding="utf-8")
    links = [href for href in Links(text).links if href != "similarity.html"]
    assert links and all((reports / urllib.parse.unquote(h)).is_file() for h in links), links
    pages = {p.name for p in (reports / "students").iterdir()}
    assert pages == {f"{r['student']}.html" for r in book}
    for row in book:
        page = Links((reports / "students" / f"{row['student']}.html").read_text())
        said = "".join(page.texts)
        assert f"feedback for {row['name']}" in said
        assert f"Score: {row['total']} / {SOFTMAX.total:g}" in said
        late = float(row["late_hours"]) > 0
        assert ("late" in said.lower()) == late, row["name"]  # nothing said to the on-time
        if late:
            assert f"{row['penalty_pct']}% off, {row['adjusted_total']} after the penalty" in said


def test_similarity_names_the_students_and_links_their_pages(everything):
    gradebook, _, _ = everything
    reports = gradebook.parent / "reports"
    text = (reports / "class.html").read_text(encoding="utf-8")
    clusters = Links(text, "similar-cluster").rows
    # the renamed copy; and the four who handed in the reference (or it with one change)
    assert [c[0] for c in clusters] == [
        "Ann O'Neil, Dana Smith, Zoë Ångström, Łukasz Wójcik",
        "Chen Wei 陈伟, José Núñez",
    ]
    assert "submission_9" not in text and "submission_9" not in (
        reports / "similarity.html"
    ).read_text(encoding="utf-8")
    pages = {urllib.parse.unquote(h) for h in Links(text).links}
    assert {"students/Chen Wei 陈伟.html", "students/José Núñez.html"} <= pages


def test_canvas_gets_what_the_gradebook_says(everything):
    _, book, canvas = everything
    with canvas.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert lines[1][-1] == f"{SOFTMAX.total:g}"  # the points the book was graded under
    assert [(line[0], line[2], line[3], line[5]) for line in lines[2:]] == [
        (r["name"], r["sid"], r["email"], r["adjusted_total"]) for r in book
    ]
