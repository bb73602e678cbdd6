"""Commands that test the tests: mutants must lose points, equivalent variants none."""

import argparse
import sys
from pathlib import Path

from autograder.cli.common import GRADER_ERROR_EXIT, current_assignment, make_console, progress_bar


def _mutate(args: argparse.Namespace) -> int:
    import json
    import time

    from autograder import mutate

    assignment = current_assignment()
    chosen = [assignment.question(q) for q in args.question or ()] or list(assignment.questions)
    console = make_console()
    generated = mutate.generate(chosen, assignment=assignment)
    picked = mutate.sample(generated, args.n, args.seed)
    workers = args.workers or mutate.default_workers()
    console.print(f"{len(generated)} mutants, grading {len(picked)} with {workers} workers")
    progress, task = progress_bar(console, "mutants", len(picked))

    def done(result: mutate.Result) -> None:
        progress.advance(task)
        if result.status in ("survived", "leak", "grader-fault"):
            m = result.mutant
            progress.console.print(f"{m.id} {result.status}: {m.description}", markup=False)

    started = time.monotonic()
    with progress:
        results = mutate.run(picked, workers=workers, on_result=done, assignment=assignment)
    seconds = time.monotonic() - started
    mutate.print_report(generated, results, console, seconds)
    if args.json:
        data = mutate.as_json(
            generated, results, seed=args.seed, n=args.n, workers=workers, seconds=seconds
        )
        args.json.write_text(json.dumps(data, indent=1))
        console.print(f"wrote {args.json}")
    return GRADER_ERROR_EXIT if any(r.status == "grader-fault" for r in results) else 0


def _variants(args: argparse.Namespace) -> int:
    import json
    import time

    from autograder.mutate import variants

    assignment = current_assignment()
    chosen = [assignment.question(q) for q in args.question or ()] or list(assignment.questions)
    console = make_console()
    try:
        generated = variants.generate(chosen, per_question=args.per_question, assignment=assignment)
    except variants.VariantError as error:
        print(f"rnnlab variants: {error}", file=sys.stderr)
        return 2
    picked = variants.sample(generated, args.n, args.seed)
    console.print(f"{len(generated)} equivalent variants, grading {len(picked)}")
    progress, task = progress_bar(console, "variants", len(picked))

    def done(result: variants.Result) -> None:
        progress.advance(task)
        if result.status != "kept":
            v = result.variant
            progress.console.print(f"{v.id} {result.status}: {v.description}", markup=False)

    started = time.monotonic()
    with progress:
        results = variants.run(picked, workers=args.workers, on_result=done, assignment=assignment)
    seconds = time.monotonic() - started
    variants.print_report(results, console, seconds)
    if args.json:
        data = variants.as_json(results, seed=args.seed, n=args.n, seconds=seconds)
        args.json.write_text(json.dumps(data, indent=1))
        console.print(f"wrote {args.json}")
    if any(r.status == "grader-fault" for r in results):
        return GRADER_ERROR_EXIT
    return 1 if any(r.status == "unfair" for r in results) else 0


def add_mutate(commands: argparse._SubParsersAction) -> None:
    mutate = commands.add_parser(
        "mutate", help="grade mutants of the reference: do the tests catch small slips?"
    )
    mutate.add_argument(
        "-q", "--question", action="append", help="only this question's mutants; repeat for more"
    )
    mutate.add_argument(
        "-n", type=int, help="grade N mutants in all, spread over the questions (default: all)"
    )
    mutate.add_argument("--seed", type=int, default=0, help="which N mutants (default 0)")
    mutate.add_argument(
        "--workers", type=int, help="mutants graded at once (default: 2, or fewer cores)"
    )
    mutate.add_argument("--json", type=Path, help="write every mutant and its verdict here")
    mutate.set_defaults(run=_mutate)


def add_variants(commands: argparse._SubParsersAction) -> None:
    variants = commands.add_parser(
        "variants",
        help="grade equivalent variants of the reference: does correct code in other styles "
        "keep every point? (exit 1 if any loses one)",
    )
    variants.add_argument(
        "-q", "--question", action="append", help="only this question's variants; repeat for more"
    )
    variants.add_argument(
        "-n", type=int, help="grade N variants in all, spread over the questions (default: all)"
    )
    variants.add_argument("--seed", type=int, default=0, help="which N variants (default 0)")
    variants.add_argument(
        "--per-question",
        type=int,
        default=50,
        help="variants generated per question, shared among its functions (default 50)",
    )
    variants.add_argument("--workers", type=int, help="variants graded at once (default: 2)")
    variants.add_argument("--json", type=Path, help="write every variant and its verdict here")
    variants.set_defaults(run=_variants)
