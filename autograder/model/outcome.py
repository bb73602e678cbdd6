"""What grading a submission gives: one ``Outcome`` per test, and the ``Report`` of them all.

Plain data: the grader makes it, ``formats.results`` writes it as Gradescope's results.json,
and the command line prints it.
"""

from dataclasses import dataclass, field

from autograder.model.rubric import Question, Test


@dataclass
class Outcome:
    question: Question
    test: Test
    passed: bool
    output: str
    grader_error: str | None = None
    """The traceback of a fault in the grader (for the instructor's log); None for a verdict."""
    mistake: str | None = None
    """The known mistake a failed test named (``CheckFailure.mistake``), if any."""

    @property
    def score(self) -> float:
        return self.test.points if self.passed else 0.0

    @property
    def name(self) -> str:
        return f"{self.question.id}: {self.test.title}"


@dataclass
class Report:
    outcomes: list[Outcome]
    seconds: float
    notes: list[str] = field(default_factory=list)
    not_run: float = 0.0
    """The points of the hidden tests of the graded questions that did not run (``public_only``:
    ``rnnlab check``), which students earn only when they submit."""

    @property
    def score(self) -> float:
        return sum(o.score for o in self.outcomes)

    @property
    def max_score(self) -> float:
        return sum(o.test.points for o in self.outcomes)

    @property
    def grader_errors(self) -> list[Outcome]:
        """Tests that got no verdict because the grader failed: never the student's fault."""
        return [o for o in self.outcomes if o.grader_error is not None]

    def by_question(self) -> dict[str, list[Outcome]]:
        grouped: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            grouped.setdefault(outcome.question.id, []).append(outcome)
        return grouped
