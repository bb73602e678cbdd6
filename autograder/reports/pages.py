"""Reports of a graded class, for people: a feedback page per student and one for the class.

``write(gradebook)`` reads a gradebook and the ``results/`` beside it (what ``rnnlab
grade-all`` writes) and writes ``reports/`` beside them:

- ``students/<student>.html``: one student's feedback: the score of each question, each failed
  test's feedback, what their code printed during it, and how their code was run (the
  sandbox's isolation note). Hidden tests' feedback is included: hand the pages out once
  it may be seen (after the due date).
- ``class.html``: the score distribution of the total and of each question (histograms), the
  pass rate of every test (most failed first), the named mistakes the tests recognised, the
  students who lost a question because their module did not import or was missing, the
  pairs of submissions ``similarity`` flagged (when ``reports/similarity.json`` is there),
  and the rows that were not graded (timeouts, grader errors). For the instructor only.
- ``class.png``: the histograms in one figure.

The student pages live in their own folder so that no student id (``class``, say) can name
a class-level file. Every page is one file (inline CSS, images as ``data:`` URIs) under a
Content-Security-Policy that loads nothing and runs nothing, and every text that comes from
a submission (ids, feedback, printing) is escaped: a student's ``<script>`` stays text.
"""

import base64
import html
import json
import statistics
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from autograder.formats import manifest
from autograder.formats.files import private_folder, write_atomic
from autograder.formats.manifest import Assignment
from autograder.reports.class_results import (
    Student,
    Summary,
    TestResult,
    load_class,
    safe_name,
    summarize,
)
from autograder.reports.figures import class_figure_png, histogram_png, panels

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222;
       line-height: 1.4; border-left: 1em solid transparent; border-right: 1em solid transparent; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: separate; border-spacing: 1px; margin: 0.6em 0; }
th, td { border: 0.25em solid transparent; border-left-width: 0.6em; border-right-width: 0.6em;
         outline: 1px solid #ddd; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; }
pre { background: #f6f8fa; border: 0.6em solid #f6f8fa; overflow-x: auto; white-space: pre-wrap;
      word-break: break-word; }
pre.printed { background: #fff8e1; border-color: #fff8e1; }
.full { color: #1a7f37; } .partial { color: #9a6700; } .zero { color: #cf222e; }
.tag { font-size: 0.8em; font-weight: normal; color: #555; border: 1px solid #bbb;
       border-radius: 3px; }
.bar { background: #cf222e; height: 0.8em; display: inline-block; }
.bar.ok { background: #1a7f37; } .bar.mid { background: #d4a72c; }
figure { display: inline-block; margin: 0.5em; } figcaption { text-align: center; }
.note { color: #555; font-size: 0.9em; }
"""
"""Space inside boxes comes from transparent (or background-coloured) borders and lines from
outlines: the engine names no question of the lab, and one is called ``p-a-d-d-i-n-g``."""


def e(text: object) -> str:
    """``text`` as HTML text or attribute value: every markup character escaped."""
    return html.escape(str(text), quote=True)


@dataclass
class Written:
    students: list[Path]
    class_html: Path
    class_png: Path


def page_name(student: str) -> str:
    """The file name of a student's page (an id no file could have is %-quoted)."""
    name = student if safe_name(student) else urllib.parse.quote(student, safe="")
    return f"{name}.html"


def page_link(student: str) -> str:
    """The class page's link to a student's page, as an attribute value."""
    return e("students/" + urllib.parse.quote(page_name(student), safe=""))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def _score_class(score: float, total: float) -> str:
    return "full" if score >= total else "zero" if score <= 0 else "partial"


def student_page(student: Student, assignment: Assignment) -> str:
    """One student's feedback page."""
    parts = [f"<h1>{e(assignment.title)}: feedback for {e(student.id)}</h1>"]
    if not student.results:
        parts.append(
            f'<p class="zero" id="status">Not graded: {e(student.status)}. Please ask your '
            "instructor.</p>"
        )
        return _page(f"{assignment.title}: {student.id}", "\n".join(parts))
    total = sum(t.max_score for t in student.tests)
    parts.append(
        f'<p id="total">Score: <strong class="{_score_class(student.total, total)}">'
        f"{student.total:g} / {total:g}</strong></p>"
    )
    if student.late:
        parts.append(f'<p id="late">{e(student.late)}</p>')
    if not student.graded:
        parts.append(f'<p class="zero" id="status">{e(student.status)}</p>')
    by_question = defaultdict(list)
    for test in student.tests:
        by_question[test.question].append(test)
    rows = []
    for question in [q.id for q in assignment.questions] + [""]:
        tests = by_question.get(question)
        if not tests:
            continue
        score, most = sum(t.score for t in tests), sum(t.max_score for t in tests)
        passed = sum(t.passed for t in tests)
        rows.append(
            f'<tr class="question"><td><a href="#q-{e(question)}">{e(question or "other")}</a>'
            f'</td><td class="num {_score_class(score, most)}">{score:g} / {most:g}</td>'
            f'<td class="num">{passed} / {len(tests)}</td></tr>'
        )
    parts.append(
        '<table id="questions"><tr><th>question</th><th class="num">score</th>'
        f'<th class="num">tests passed</th></tr>{"".join(rows)}</table>'
    )
    for question in [q.id for q in assignment.questions] + [""]:
        tests = by_question.get(question)
        if not tests:
            continue
        parts.append(f'<h2 id="q-{e(question)}">{e(question or "other tests")}</h2>')
        failed = [t for t in tests if not t.passed]
        if len(failed) > 1 and len({(t.feedback, t.printed) for t in failed}) == 1:
            parts.append(  # one cause for all (the module did not import, say): said once
                f'<div class="failed"><h3>all {len(failed)} tests failed <span class="zero">0 / '
                f"{sum(t.max_score for t in failed):g}</span></h3>"
                f'<pre class="feedback">{e(failed[0].feedback)}</pre>'
                + _printed(failed[0])
                + "</div>"
            )
            failed = []
        for test in failed:
            hidden = "" if test.visibility == "visible" else ' <span class="tag">hidden test</span>'
            parts.append(
                f'<div class="failed"><h3>{e(test.name)} <span class="zero">0 / '
                f"{test.max_score:g}</span>{hidden}</h3>"
                f'<pre class="feedback">{e(test.feedback)}</pre>'
            )
            parts.append(_printed(test) + "</div>")
        passed = [t for t in tests if t.passed]
        if passed:
            items = "".join(f"<li>{e(t.name)} ({t.score:g})</li>" for t in passed)
            parts.append(
                f'<details class="passed"><summary>{len(passed)} test(s) passed</summary>'
                f"<ul>{items}</ul></details>"
            )
    parts.append(f'<h2>How your code was run</h2>\n<pre id="notes">{e(student.notes)}</pre>')
    return _page(f"{assignment.title}: {student.id}", "\n".join(parts))


def _printed(test: TestResult) -> str:
    if not test.printed:
        return ""
    return (
        "<p>What your code printed during this test (the last of it):</p>"
        f'<pre class="printed">{e(test.printed)}</pre>'
    )


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _rate_bar(rate: float) -> str:
    kind = "ok" if rate >= 0.8 else "mid" if rate >= 0.5 else ""
    return f'<span class="bar {kind}" style="width: {100 * rate:.0f}px"></span>'


def _student_link(student: str) -> str:
    return f'<a href="{page_link(student)}">{e(student)}</a>'


def class_page(summary: Summary, assignment: Assignment, similarity: dict | None = None) -> str:
    """The class's page (for the instructor)."""
    totals = [s.total for s in summary.graded]
    parts = [f"<h1>{e(assignment.title)}: the class</h1>"]
    if totals:
        parts.append(
            f'<p id="overview">{len(totals)} students graded; total out of {assignment.total:g}: '
            f"mean {statistics.mean(totals):.1f}, median {statistics.median(totals):g}, "
            f"highest {max(totals):g}, lowest {min(totals):g}."
            + (f" {len(summary.not_graded)} not graded (below)." if summary.not_graded else "")
            + "</p>"
        )
    else:
        parts.append('<p id="overview">No student was graded.</p>')

    parts.append('<h2 id="distributions">Score distributions</h2>')
    for title, scores, most in panels(summary, assignment):
        kind = "total" if title == "total" else "question"
        alt = f"histogram of the {'total' if kind == 'total' else title} scores"
        parts.append(
            f'<figure class="histogram {kind}" data-question="{e(title)}">'
            f'<img src="{_data_uri(histogram_png(title, scores, most))}" alt="{e(alt)}">'
            f"<figcaption>{e(title)}</figcaption></figure>"
        )

    parts.append('<h2 id="pass-rates">Pass rate of every test, most failed first</h2>')
    rows = "".join(
        f'<tr class="pass-rate"><td>{e(name)}</td><td class="num">{p} / {g}</td>'
        f'<td class="num">{100 * p / g:.0f}%</td><td>{_rate_bar(p / g)}</td></tr>'
        for name, p, g in summary.rates
    )
    parts.append(
        '<table id="pass-rate-table"><tr><th>test</th><th class="num">passed</th>'
        f'<th class="num">rate</th><th></th></tr>{rows}</table>'
    )

    parts.append('<h2 id="mistakes">Named mistakes, most common first</h2>')
    if summary.mistakes:
        rows = "".join(
            f'<tr class="mistake"><td>{e(q)}</td><td>{e(name)}</td>'
            f'<td class="num">{len(who)}</td>'
            f"<td>{', '.join(_student_link(s) for s in who)}</td></tr>"
            for q, name, who in summary.mistakes
        )
        parts.append(
            '<p class="note">Failed tests whose feedback named a known mistake ("This is what '
            '... gives"), counted once per student.</p><table id="mistake-table"><tr>'
            '<th>question</th><th>mistake</th><th class="num">students</th><th>who</th></tr>'
            f"{rows}</table>"
        )
    else:
        parts.append("<p>No feedback named a known mistake.</p>")

    parts.append('<h2 id="import-failures">Questions lost to a module that did not import</h2>')
    if summary.import_failures:
        rows = "".join(
            f'<tr class="import-failure"><td>{_student_link(s)}</td><td>{e(q)}</td>'
            f"<td>{e(why)}</td></tr>"
            for s, q, why in summary.import_failures
        )
        parts.append(
            '<table id="import-failure-table"><tr><th>student</th><th>question</th>'
            f"<th>why</th></tr>{rows}</table>"
        )
    else:
        parts.append("<p>None: every graded module was there and imported.</p>")

    parts.append('<h2 id="similarity">Similar submissions</h2>')
    parts.append(_similarity_section(similarity))

    parts.append('<h2 id="not-graded">Not graded</h2>')
    if summary.not_graded:
        rows = "".join(
            f'<tr class="not-graded"><td>{_student_link(s.id)}</td><td>{e(s.status)}</td></tr>'
            for s in summary.not_graded
        )
        parts.append(
            '<p class="note">Left out of everything above: their rows are not a grade.</p>'
            f'<table id="not-graded-table"><tr><th>student</th><th>status</th></tr>{rows}'
            "</table>"
        )
    else:
        parts.append("<p>Every row of the gradebook was graded.</p>")

    parts.append('<h2 id="students">Students</h2>')
    items = "".join(
        f"<li>{_student_link(s.id)}: {s.total:g}</li>" for s in summary.graded + summary.not_graded
    )
    parts.append(f'<ul id="student-list">{items}</ul>')
    return _page(f"{assignment.title}: the class", "\n".join(parts))


def _similarity_section(similarity: dict | None) -> str:
    if similarity is None:
        return (
            "<p>Not compared: run <code>rnnlab similarity SUBMISSIONS</code> (or "
            "<code>rnnlab grade-all --similarity</code>), then this command again.</p>"
        )
    threshold = similarity.get("threshold", 0)
    pairs = similarity.get("pairs", [])
    intro = (
        f'<p class="note">Pairs of submissions whose code of one module overlaps by '
        f"{100 * threshold:.0f}% or more (copydetect; the stubs' own text is ignored). The "
        'matched code: <a href="similarity.html">similarity.html</a>. A flag is a reason to '
        "look, not a verdict.</p>"
    )
    if not pairs:
        return intro + "<p>No pair reached the threshold.</p>"
    rows = "".join(
        f'<tr class="similar-pair"><td>{e(p["module"])}</td>'
        f"<td>{_student_link(p['students'][0])}</td><td>{_student_link(p['students'][1])}</td>"
        f'<td class="num">{100 * max(p["similarity"]):.0f}%</td></tr>'
        for p in pairs
    )
    return (
        intro + '<table id="similarity-table"><tr><th>module</th><th>student</th><th>student</th>'
        f'<th class="num">overlap</th></tr>{rows}</table>'
    )


def write(gradebook: Path, assignment: Assignment | None = None) -> Written:
    """Write ``reports/`` beside ``gradebook`` (see the module's docstring)."""
    assignment = assignment or manifest.current()
    students = load_class(gradebook, assignment)
    out = gradebook.parent / "reports"
    private_folder(out / "students")
    pages = []
    for student in students:
        path = out / "students" / page_name(student.id)
        write_atomic(path, student_page(student, assignment))
        pages.append(path)
    summary = summarize(students, assignment)
    similarity_json = out / "similarity.json"
    similarity = (
        json.loads(similarity_json.read_text(encoding="utf-8"))
        if similarity_json.is_file()
        else None
    )
    class_html = out / "class.html"
    write_atomic(class_html, class_page(summary, assignment, similarity))
    class_png = out / "class.png"
    write_atomic(class_png, class_figure_png(summary, assignment))
    return Written(pages, class_html, class_png)
