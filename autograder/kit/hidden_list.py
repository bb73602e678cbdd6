"""The kit's list of the hidden tests (``HIDDEN.md``): what students are told of the tests they
do not see."""

import json
import textwrap

from autograder.formats.manifest import Assignment
from autograder.model.rubric import points_text
from autograder.model.visibility import DEFAULT_HIDDEN_VISIBILITY, HIDDEN_VISIBILITY

HIDDEN_DATA = "<!-- hidden tests: {} -->"
"""The last line of ``hidden_summary``: what ``tests/local.py`` reads of it, as JSON."""


def hidden_summary(assignment: Assignment) -> str:
    """The kit's list of the hidden tests (Markdown): each one's question, title and points,
    the public tests of its clause, and when its result is shown. Its last line says the same
    as data for ``tests/local.py`` (``HIDDEN_DATA``): the hidden points in all, each public
    test's name (``question: title``), and for each public test the hidden tests of its
    clause, so the kit's feedback names them as the grader's does."""
    hidden = [(q, t) for q in assignment.questions for t in q.tests if t.visibility == "hidden"]
    points = sum(t.points for _, t in hidden)
    public = assignment.total - points
    shown = [t.shown or DEFAULT_HIDDEN_VISIBILITY for _, t in hidden]
    one_way = len(set(shown)) <= 1
    more = f"{points_text(points, 'more')} {'is' if points == 1 else 'are'}"
    intro = (
        f"The public tests in this folder carry {points_text(public)}; after you submit, "
        f"{more} graded by the hidden test{'' if len(hidden) == 1 else 's'} below. Each hidden "
        "test checks one clause of a docstring, on cases you do not see; the public tests named "
        "beside it check the same clause on a small case, so a public test that fails warns you "
        "of the hidden points at stake."
    )
    if one_way and shown:
        intro += f" A hidden test's result is shown {HIDDEN_VISIBILITY[shown[0]].said}."
    header = "| question | hidden test | points | public tests of the same clause |"
    rule = "| --- | --- | ---: | --- |"
    if not one_way:
        header += " its result is shown |"
        rule += " --- |"
    rows, mapping = [], {}
    for (question, test), when in zip(hidden, shown, strict=True):
        names = [f"test_{question.module}.py::test_{t}" for t in test.public]
        checks = ", ".join(f"`{name}`" for name in names) or "-"
        title = test.title.replace("|", "\\|")
        row = f"| `{question.id}` | {title} | {test.points:g} | {checks} |"
        rows.append(row if one_way else f"{row} {HIDDEN_VISIBILITY[when].said} |")
        for name in names:
            mapping.setdefault(name, []).append([test.title, test.points])
    names = {  # each public test as the grader and the notebook's checks name it
        f"test_{q.module}.py::test_{t.id}": f"{q.id}: {t.title}"
        for q in assignment.questions
        for t in q.tests
        if t.visibility == "public"
    }
    data = json.dumps({"names": names, "points": points, "public": mapping}, sort_keys=True)
    return "\n".join(
        ["# The hidden tests", "", textwrap.fill(intro, 90), "", header, rule, *rows]
        + ["", HIDDEN_DATA.format(data), ""]
    )
