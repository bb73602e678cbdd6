"""What a mutation run found: counts per question, the listed mutants, and JSON."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from autograder.mutate.grading import Result
from autograder.mutate.mutants import Mutant


@dataclass
class Counts:
    generated: int = 0
    graded: int = 0
    killed: int = 0
    leak: int = 0
    survived: int = 0
    equivalent: int = 0
    grader_fault: int = 0
    timeout: int = 0
    """Killed by running out of time (included in ``killed``)."""

    @property
    def kill_rate(self) -> float | None:
        """Killed over the graded mutants that could be killed (not equivalent, no fault)."""
        killable = self.graded - self.equivalent - self.grader_fault
        return self.killed / killable if killable else None


def counts(generated: Sequence[Mutant], results: Sequence[Result]) -> dict[str, Counts]:
    """Per question (in the order of generation) what happened to its mutants."""
    table = {q: Counts() for q in dict.fromkeys(m.question for m in generated)}
    for mutant in generated:
        table[mutant.question].generated += 1
    for result in results:
        row = table[result.mutant.question]
        row.graded += 1
        name = result.status.replace("-", "_")
        setattr(row, name, getattr(row, name) + 1)
        row.timeout += result.status == "killed" and result.graded.timeout
    return table


def print_report(
    generated: Sequence[Mutant], results: Sequence[Result], console: Any, seconds: float
) -> None:
    """The per-question table, then every survivor, leak and grader fault with its diff."""
    from rich import box
    from rich.table import Table

    # One space between columns, none at the edges: the table fits in 80 columns.
    table = Table(
        title="mutants of the reference, graded",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
    )
    table.add_column("question", no_wrap=True)
    for column in ("generated", "graded", "killed", "leak", "survived", "equiv."):
        table.add_column(column, justify="right", no_wrap=True)
    for column in ("grader\nfaults", "kill\nrate"):
        table.add_column(column, justify="right", no_wrap=True)
    rows = counts(generated, results)
    total = Counts()
    for q, row in rows.items():
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        table.add_row(q, *_cells(row))
    table.add_section()
    table.add_row("all", *_cells(total))
    console.print(table)
    console.print(
        f"{total.graded} mutants graded in {seconds:.0f} s "
        f"({total.timeout} of the kills by timeout)"
    )
    for status, title in (
        ("grader-fault", "grader faults (the grader's bug)"),
        ("leak", "leaks (killed only on another question)"),
        ("survived", "survivors (unexplained: triage into the equivalent-mutants file)"),
    ):
        chosen = [r for r in results if r.status == status]
        print_listed(
            console,
            title,
            [(r.mutant.id, _headline(r.mutant), r.graded, r.mutant.diff) for r in chosen],
        )


def _headline(mutant: Mutant) -> str:
    return f"{mutant.question}/{mutant.function} {mutant.description}"


def print_listed(console: Any, title: str, entries: Sequence[tuple]) -> None:
    """A rule with ``title``, then per ``(id, headline, graded, diff)``: what failed, the
    diff, and the end of each grader error (``--json`` keeps them whole). Nothing if empty."""
    if not entries:
        return
    console.rule(f"{len(entries)} {title}")
    for id, headline, graded, diff in entries:
        console.print(f"{id} {headline}", markup=False)
        if graded.failed:
            console.print("  failed: " + "; ".join(graded.failed), markup=False)
        console.print(diff, markup=False, highlight=False)
        for error in graded.grader_errors:
            tail = "\n".join(error.rstrip().splitlines()[-12:])
            console.print(tail, markup=False, highlight=False)


def _cells(row: Counts) -> list[str]:
    rate = row.kill_rate
    return [
        str(row.generated),
        str(row.graded),
        str(row.killed),
        str(row.leak),
        str(row.survived),
        str(row.equivalent),
        str(row.grader_fault),
        "-" if rate is None else f"{100 * rate:.0f}%",
    ]


def as_json(
    generated: Sequence[Mutant], results: Sequence[Result], **run_info: Any
) -> dict[str, Any]:
    """Everything of a run as plain data: per-question counts and every graded mutant."""
    rows = counts(generated, results)
    return {
        **run_info,
        "questions": {q: {**asdict(row), "kill_rate": row.kill_rate} for q, row in rows.items()},
        "mutants": [
            {
                "id": r.mutant.id,
                "question": r.mutant.question,
                "module": r.mutant.module,
                "function": r.mutant.function,
                "operator": r.mutant.operator,
                "description": r.mutant.description,
                "line": r.mutant.line,
                "status": r.status,
                "timeout": r.graded.timeout,
                "reason": r.reason,
                "scores": r.graded.scores,
                "max_scores": r.graded.max_scores,
                "failed": r.graded.failed,
                "grader_errors": r.graded.grader_errors,
                "seconds": round(r.graded.seconds, 2),
                "diff": r.mutant.diff,
            }
            for r in results
        ],
    }
