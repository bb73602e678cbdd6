"""What a command prints: a submission's text never drives the instructor's terminal."""

import io

from rich.console import Console

from autograder.cli.tables import shown_safely, summary
from autograder.model import rubric
from autograder.model.outcome import Outcome, Report

TEST = rubric.Test("small_case", "a small case", 1.0, "public")
QUESTION = rubric.Question("q", "m", ("f",), (TEST,), "default")
FORGED = "\x1b]0;score 100\x07\x1b[2J\rscore 100 / 100\n\tnext \u202eenil"


def test_control_characters_are_written_out_and_lines_kept():
    assert shown_safely(FORGED) == (
        "\\x1b]0;score 100\\x07\\x1b[2J\\rscore 100 / 100\n\tnext \\u202eenil"
    )


def test_a_report_prints_no_escape_sequence_of_the_submission():
    out = io.StringIO()
    report = Report([Outcome(QUESTION, TEST, False, FORGED)], 1.0, notes=[FORGED])
    summary(report, Console(file=out, force_terminal=False, width=200))
    printed = out.getvalue()
    assert not {"\x1b", "\x07", "\r", "\u202e"} & set(printed)
    assert printed.count("\\x1b]0;score 100") == 2  # the feedback and the note, both shown
