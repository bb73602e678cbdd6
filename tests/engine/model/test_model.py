"""The pure data model: scores add up, statuses read back, visibility has one table."""

import pytest

from autograder.model import mistakes, rubric
from autograder.model.outcome import Outcome, Report
from autograder.model.row import FINAL_STATUSES, WITH_RESULTS, Row, Status
from autograder.model.visibility import DEFAULT_HIDDEN_VISIBILITY, HIDDEN_VISIBILITY, shown

PUBLIC = rubric.Test("small_case", "a small case", 1.0, "public")
HIDDEN = rubric.Test("any_case", "any case", 2.5, "hidden", shown="hidden", public=("small_case",))
QUESTION = rubric.Question("q", "m", ("f",), (PUBLIC, HIDDEN), "default")


def test_a_question_is_worth_its_tests_points():
    assert QUESTION.points == 3.5


def test_a_report_scores_what_passed_and_groups_by_question():
    other = rubric.Question("r", "m", ("g",), (PUBLIC,), "default")
    report = Report(
        [
            Outcome(QUESTION, PUBLIC, True, ""),
            Outcome(QUESTION, HIDDEN, False, "wrong"),
            Outcome(other, PUBLIC, False, "", grader_error="Traceback ..."),
        ],
        seconds=1.0,
    )
    assert (report.score, report.max_score) == (1.0, 4.5)
    assert [o.test.id for o in report.grader_errors] == ["small_case"]
    assert {q: len(o) for q, o in report.by_question().items()} == {"q": 2, "r": 1}
    assert report.outcomes[1].name == "q: any case"


def test_a_status_with_a_reason_still_reads_as_its_kind():
    status = Status.TIMEOUT.because("not graded within 60 s")
    assert status == "timeout: not graded within 60 s" and status.startswith(FINAL_STATUSES)
    assert Status.GRADER_ERROR.because("x") not in WITH_RESULTS  # a failed grading
    assert Status.GRADER_ERROR in WITH_RESULTS  # graded, some test met a grader error


@pytest.mark.parametrize("penalty, adjusted", [(0.0, 80.0), (25.0, 60.0), (100.0, 0.0)])
def test_the_adjusted_total_takes_the_penalty_off(penalty, adjusted):
    row = Row("ann", 80.0, {"q": 80.0}, Status.GRADED, late_hours=5.0, penalty=penalty)
    assert row.adjusted_total == adjusted


def test_when_a_result_is_shown_has_one_answer_per_path():
    assert shown("public", None) == "public"
    assert shown("hidden", None) == DEFAULT_HIDDEN_VISIBILITY
    assert shown("hidden", "after_published") == "after_published"
    for name, when in HIDDEN_VISIBILITY.items():
        assert when.meaning and when.said, name
        assert when.gradescope in {"visible", "hidden", "after_due_date", "after_published"}


def test_a_named_mistake_is_read_back_in_every_phrasing():
    shared = (
        "MultiRNNCell([drop] * lstm_layers) repeats one cell object, so its layers share (or "
        "cannot share) one set of weights"
    )
    feedback = (
        "expected 0.5, got 2.0. This is what the sum instead of the mean gives\n"
        f"with lstm_layers=2 the LSTM should have 2 kernels. A likely cause: {shared}\n"
        "shapes differ. A likely cause: a transposed matrix. Then more text; and "
        + mistakes.GIVES.format("a flipped sign")
        + "."
    )
    assert mistakes.named(feedback) == [
        "the sum instead of the mean",
        shared,
        "a transposed matrix",
        "a flipped sign",
    ]
    assert all(mistakes.named(p.format("x")) == ["x"] for p in mistakes.PHRASINGS)
    assert mistakes.named("no mistake is named here: it gives nothing") == []
