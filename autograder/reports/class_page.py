"""The class's page, for the instructor: every figure of it from the gradebook's rows as
``gradebook.read_book`` reads them (``class_results``), so that it says what the exports say.

Totals are the gradebook's adjusted totals (after any late penalty, from each student's own
due date when extended), every student is shown by the roster's or metadata's name and linked
to their page, and the similar submissions are grouped into clusters
(``similarity.clusters``), the most similar first, at most ``most`` of them.
"""

import base64
import statistics
from dataclasses import dataclass

from autograder.formats.manifest import Assignment
from autograder.reports.class_results import Student, Summary
from autograder.reports.figures import histogram_png, panels
from autograder.reports.html import e, page, student_link
from autograder.reports.similarity import THRESHOLD, Pair, clusters

MOST_CLUSTERS = 20
"""The clusters of similar submissions listed by default; the rest are counted."""


@dataclass(frozen=True)
class Similar:
    """What the class page shows of ``similarity.json``."""

    compared_at: float
    """The threshold the pairs were kept at (``rnnlab similarity --threshold``)."""
    pairs: list[Pair]
    threshold: float = THRESHOLD
    """The overlap from which a pair is shown (never below ``compared_at``)."""
    most: int = MOST_CLUSTERS


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _rate_bar(rate: float) -> str:
    kind = "ok" if rate >= 0.8 else "mid" if rate >= 0.5 else ""
    return f'<span class="bar {kind}" style="width: {100 * rate:.0f}px"></span>'


def class_page(summary: Summary, assignment: Assignment, similar: Similar | None = None) -> str:
    """The class's page (for the instructor)."""
    everyone = summary.graded + summary.not_graded
    by_id = {s.id: s for s in everyone}

    def link(student: str) -> str:
        known = by_id.get(student)
        return student_link(student, known.name) if known else e(student)

    parts = [f"<h1>{e(assignment.title)}: the class</h1>", _overview(summary, assignment)]

    parts.append('<h2 id="distributions">Score distributions</h2>')
    for title, scores, most in panels(summary, assignment):
        kind = "question" if title in {q.id for q in assignment.questions} else "total"
        alt = f"histogram of the {title} scores" if kind == "question" else f"histogram: {title}"
        # the picture carries its title: no caption repeats it
        parts.append(
            f'<figure class="histogram {kind}" data-question="{e(title)}">'
            f'<img src="{_data_uri(histogram_png(title, scores, most))}" alt="{e(alt)}"></figure>'
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
            f"<td>{', '.join(link(s) for s in who)}</td></tr>"
            for q, name, who in summary.mistakes
        )
        parts.append(
            '<p class="note">Failed tests whose feedback named a known mistake, in any of its '
            'phrasings ("This is what ... gives", "A likely cause: ..."), counted once per '
            'student.</p><table id="mistake-table"><tr><th>question</th><th>mistake</th>'
            f'<th class="num">students</th><th>who</th></tr>{rows}</table>'
        )
    else:
        parts.append("<p>No feedback named a known mistake.</p>")

    parts.append('<h2 id="import-failures">Questions lost to a module that did not import</h2>')
    if summary.import_failures:
        rows = "".join(
            f'<tr class="import-failure"><td>{link(s)}</td><td>{e(q)}</td><td>{e(why)}</td></tr>'
            for s, q, why in summary.import_failures
        )
        parts.append(
            '<table id="import-failure-table"><tr><th>student</th><th>question</th>'
            f"<th>why</th></tr>{rows}</table>"
        )
    else:
        parts.append("<p>None: every graded module was there and imported.</p>")

    parts.append('<h2 id="similarity">Similar submissions</h2>')
    parts.append(_similarity_section(similar, link))

    parts.append('<h2 id="not-graded">Not graded</h2>')
    if summary.not_graded:
        rows = "".join(
            f'<tr class="not-graded"><td>{link(s.id)}</td><td>{e(s.status)}</td></tr>'
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
    parts.append(_students(everyone))
    return page(f"{assignment.title}: the class", "\n".join(parts))


def _overview(summary: Summary, assignment: Assignment) -> str:
    grades = [s.adjusted for s in summary.graded]
    if not grades:
        return '<p id="overview">No student was graded.</p>'
    late = [s for s in summary.graded if s.row.late]
    after = f", after lateness ({len(late)} handed in late)" if late else ""
    return (
        f'<p id="overview">{len(grades)} students graded; total out of {assignment.total:g}'
        f"{after}: mean {statistics.mean(grades):.2f}, median {statistics.median(grades):g}, "
        f"highest {max(grades):g}, lowest {min(grades):g}."
        + (f" {len(summary.not_graded)} not graded (below)." if summary.not_graded else "")
        + "</p>"
    )


def _late_cell(student: Student) -> str:
    """When the row was due and how late it came: empty for an on-time row without an
    extension."""
    row = student.row
    said = []
    if row.extended_due:
        said.append(f"extended to {row.extended_due}")
    if row.late:
        cost = f", {row.penalty:g}% off" if row.penalty else ""
        said.append(f"{row.late_hours or 0:.2f} h late{cost}")
    return "; ".join(said)


def _students(everyone: list[Student]) -> str:
    """Every row of the gradebook: who, the total, lateness, the grade that is exported."""
    rows = "".join(
        f'<tr class="student"><td>{student_link(s.id, s.name)}</td><td>{e(s.id)}</td>'
        f'<td class="num">{s.total:g}</td><td class="late">{e(_late_cell(s))}</td>'
        f'<td class="num">{s.adjusted:g}</td><td>{e(s.status)}</td></tr>'
        for s in everyone
    )
    return (
        '<p class="note">The grade is the total after any late penalty: what the exports '
        "send.</p>"
        '<table id="student-table"><tr><th>student</th><th>id</th><th class="num">total</th>'
        '<th>late</th><th class="num">grade</th><th>status</th></tr>'
        f"{rows}</table>"
    )


def _similarity_section(similar: Similar | None, link) -> str:
    if similar is None:
        return (
            "<p>Not compared: run <code>rnnlab similarity SUBMISSIONS</code> (or "
            "<code>rnnlab grade-all --similarity</code>), then this command again.</p>"
        )
    threshold = max(similar.threshold, similar.compared_at)
    found = clusters(similar.pairs, threshold)
    lowered = (
        f" (pairs under {100 * similar.compared_at:.0f}% were not kept: compare again with "
        "<code>rnnlab similarity --threshold</code> to see them)"
        if similar.threshold < similar.compared_at
        else ""
    )
    intro = (
        f'<p class="note">Students whose code of one module overlaps by {100 * threshold:.0f}% '
        f"or more{lowered}, grouped: a cluster is the students joined by a chain of such "
        "pairs, the most similar first (copydetect; the stubs' own text is ignored). The "
        'matched code: <a href="similarity.html">similarity.html</a>. A flag is a reason to '
        "look, not a verdict.</p>"
    )
    if not found:
        return intro + "<p>No pair reached the threshold.</p>"
    rows = []
    for cluster in found[: similar.most]:
        pairs = "".join(
            f"<li>{e(p.module)}: {link(p.students[0])} and {link(p.students[1])}, "
            f"{100 * p.score:.0f}%</li>"
            for p in cluster.pairs
        )
        rows.append(
            f'<tr class="similar-cluster"><td>{", ".join(link(s) for s in cluster.students)}'
            f"</td><td>{e(', '.join(cluster.modules))}</td>"
            f'<td class="num">{100 * cluster.score:.0f}%</td>'
            f"<td><details><summary>{len(cluster.pairs)} pairs</summary><ul>{pairs}</ul>"
            "</details></td></tr>"
        )
    rest = found[similar.most :]
    more = (
        f'<p id="similar-rest">{len(rest)} more clusters ({sum(len(c.pairs) for c in rest)} '
        "pairs) not shown: raise the threshold, or list more with "
        "<code>rnnlab report --similar-clusters N</code>.</p>"
        if rest
        else ""
    )
    return (
        intro + '<table id="similarity-table"><tr><th>students</th><th>modules</th>'
        f'<th class="num">highest overlap</th><th>pairs</th></tr>{"".join(rows)}</table>{more}'
    )
