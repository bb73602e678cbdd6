"""Reports of a graded class, for people: a feedback page per student and one for the class.

``write(gradebook)`` reads a gradebook and the ``results/`` beside it (what ``rnnlab
grade-all`` writes) and writes ``reports/`` beside them:

- ``students/<student>.html``: one student's feedback: the score of each question, each failed
  test's feedback, what their code printed during it, and how their code was run (the
  sandbox's isolation note). Hidden tests' feedback is included: hand the pages out once
  it may be seen (after the due date).
- ``class.html`` (``class_page``): the score distribution of the total after lateness and of
  each question (histograms), the pass rate of every test (most failed first), the named
  mistakes the tests recognised, the students who lost a question because their module did
  not import or was missing, the clusters of submissions ``similarity`` flagged (when
  ``reports/similarity.json`` is there), the rows that were not graded (timeouts, grader
  errors), and every row with its total, lateness and grade. For the instructor only.

Every figure comes from the gradebook as ``gradebook.read_book`` reads it, the one reading the
exports use too; a student is shown by the roster's or metadata's name. A student's page says
nothing of lateness to a student who handed in on time.
- ``class.png``: the histograms in one figure.

The student pages live in their own folder so that no student id (``class``, say) can name
a class-level file. Every page is one file (inline CSS, images as ``data:`` URIs) under a
Content-Security-Policy that loads nothing and runs nothing, and every text that comes from
a submission (ids, feedback, printing) is escaped: a student's ``<script>`` stays text.
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from autograder.formats import manifest
from autograder.formats.files import private_folder, write_atomic
from autograder.formats.manifest import Assignment
from autograder.reports import similarity
from autograder.reports.class_page import MOST_CLUSTERS, Similar, class_page
from autograder.reports.class_results import Student, TestResult, load_class, summarize
from autograder.reports.figures import class_figure_png
from autograder.reports.html import e, page, page_name, score_class


def student_page(student: Student, assignment: Assignment) -> str:
    """One student's feedback page."""
    parts = [f"<h1>{e(assignment.title)}: feedback for {e(student.name)}</h1>"]
    if not student.results:
        parts.append(
            f'<p class="zero" id="status">Not graded: {e(student.status)}. Please ask your '
            "instructor.</p>"
        )
        return page(f"{assignment.title}: {student.name}", "\n".join(parts))
    total = sum(t.max_score for t in student.tests)
    parts.append(
        f'<p id="total">Score: <strong class="{score_class(student.total, total)}">'
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
            f'</td><td class="num {score_class(score, most)}">{score:g} / {most:g}</td>'
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
    return page(f"{assignment.title}: {student.name}", "\n".join(parts))


def _printed(test: TestResult) -> str:
    if not test.printed:
        return ""
    return (
        "<p>What your code printed during this test (the last of it):</p>"
        f'<pre class="printed">{e(test.printed)}</pre>'
    )


@dataclass
class Written:
    """What ``write`` wrote."""

    students: list[Path]
    class_html: Path
    class_png: Path


def write(
    gradebook: Path,
    assignment: Assignment | None = None,
    *,
    similar_at: float | None = None,
    most: int | None = None,
) -> Written:
    """Write ``reports/`` beside ``gradebook`` (see the module's docstring): similar
    submissions shown from ``similar_at`` (default: ``similarity.THRESHOLD``), at most
    ``most`` clusters of them (default ``class_page.MOST_CLUSTERS``)."""
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
    compared = similarity.read(out)
    similar = None
    if compared is not None:
        shown_at = similarity.THRESHOLD if similar_at is None else similar_at
        similar = Similar(compared[0], compared[1], shown_at, most or MOST_CLUSTERS)
    class_html = out / "class.html"
    write_atomic(class_html, class_page(summary, assignment, similar))
    class_png = out / "class.png"
    write_atomic(class_png, class_figure_png(summary, assignment))
    return Written(pages, class_html, class_png)
