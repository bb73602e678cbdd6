"""The ``rnnlab`` command line: thin argument parsing over library calls.

The engine's commands work on the current assignment: ``--assignment PATH`` (a
manifest or its folder), else ``$RNNLAB_ASSIGNMENT``, else the project's
``assignment/``. The assignment may add commands of its own: its manifest's
``commands`` file defines ``register(subparsers)``, and they are listed first.
"""

import argparse
import os
import sys
from pathlib import Path

GRADER_ERROR_EXIT = 3
"""``rnnlab grade`` and ``check``: some test hit a fault of the grader's (logged), not a verdict."""
DESCRIPTION = (
    "Grade, check and build an assignment declared by its manifest (rnnlab.toml). The "
    "commands below work on the current assignment: --assignment PATH, else "
    "$RNNLAB_ASSIGNMENT, else the project's assignment/; the first ones listed, if any, "
    "are the assignment's own."
)
ASSIGNMENT_ENV = "RNNLAB_ASSIGNMENT"
"""The variable naming the current assignment (``manifest.current``); ``--assignment`` sets it."""


def _assignment():
    from autograder import manifest

    return manifest.current()


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it, else as it is."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _stubs(args: argparse.Namespace) -> int:
    from autograder import stubs

    assignment = _assignment()
    if args.check:
        stale = stubs.stale_stubs(assignment)
        for path in stale:
            print(f"{_shown(path)} is out of date: run `rnnlab stubs`", file=sys.stderr)
        return 1 if stale else 0
    for path in stubs.write_stubs(assignment):
        print(f"wrote {_shown(path)}")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from autograder.grade import grade, prewarm
    from autograder.impl import ImplError

    if not args.submission.exists():
        raise ImplError(f"{args.submission} does not exist")
    assignment = _assignment()
    prewarm(assignment, assignment.questions)  # the libraries import while we do
    from autograder import results

    console = _console()
    hidden = [args.output.resolve().parent] if args.output else []
    with console.status("grading...") as status:
        report = grade(
            args.submission,
            assignment=assignment,
            hidden_paths=hidden,
            progress=lambda q: status.update(f"graded {q.id} ..."),
        )
    if args.output:
        results.write_json(report, args.output)
    results.summary(report, console, details=not args.quiet)
    if args.output:
        console.print(f"wrote {args.output}")
    return _report_grader_errors(report, args.output)


def _report_grader_errors(report, output: Path | None) -> int:
    """Log the grader's own faults for the instructor; the exit code says whether there were any."""
    from autograder import results

    log = results.grader_log(report)
    if not log:
        return 0
    if output is not None:
        path = output.with_name("grader-errors.log")
        path.write_text(log)
        where = f"their tracebacks are in {path}"
    else:
        print(log, file=sys.stderr)
        where = "their tracebacks are above"
    print(
        f"rnnlab: {len(report.grader_errors)} test(s) hit a grader error (not the "
        f"submission's fault); {where}",
        file=sys.stderr,
    )
    return GRADER_ERROR_EXIT


def _grade_all(args: argparse.Namespace) -> int:
    from autograder import batch, gradebook, results
    from autograder.classroom import BatchError

    console = _console()
    progress, task = _progress(console, "grading", None)

    partial = bool(args.only or args.question)
    policy = _late_policy(args)
    if args.scheduler is not None and args.workers is not None:
        raise BatchError(
            "argument --workers: not with --scheduler (the cluster's workers grade: start each "
            "with `dask worker --nthreads 1`)"
        )

    def start(todo: int, skipped: int) -> None:
        progress.update(task, total=todo)
        if skipped and partial:
            console.print(f"regrading {todo}; the other {skipped} rows stay as they are")
        elif skipped:
            console.print(f"resuming: {skipped} students already in {args.output}")

    def row(done: gradebook.Row) -> None:
        progress.advance(task)
        late = f"  late {done.late_hours:.1f} h: {done.adjusted_total:g}" if done.penalty else ""
        progress.console.print(f"{done.student}: {done.total:g}{late}  {done.status}")

    assignment = _assignment()
    if policy is not None:
        console.print(f"late policy: {policy.describe()}", markup=False)
    try:
        with progress:
            batch.grade_all(
                args.submissions,
                args.output,
                workers=args.workers or 1,
                resume=args.resume,
                timeout=args.timeout,
                on_row=row,
                on_start=start,
                assignment=assignment,
                roster=args.roster,
                policy=policy,
                only=args.only or (),
                questions=args.question or (),
                scheduler=args.scheduler,
            )
    except KeyboardInterrupt:
        kept = len(gradebook.read_gradebook(args.output, assignment))
        print(
            f"rnnlab: interrupted: {kept} rows in {args.output}; `--resume` grades the rest",
            file=sys.stderr,
        )
        return 130
    students = list(gradebook.read_gradebook(args.output, assignment))
    rates = batch.pass_rates(args.output.parent / "results", students)
    results.pass_rate_table(rates, console)
    if rates:
        chart = args.output.with_name("pass_rates.png")
        batch.plot_pass_rates(rates, chart)
        console.print(f"wrote {args.output} and {chart}")
    if args.similarity:
        return _compare(args.submissions, args.output, args.threshold, console)
    return 0


def _similarity(args: argparse.Namespace) -> int:
    return _compare(args.submissions, args.output, args.threshold, _console())


def _compare(submissions: Path, gradebook: Path, threshold: float | None, console) -> int:
    """Compare every pair of submissions; write the similarity report beside ``gradebook``."""
    from autograder import similarity

    reports = gradebook.parent / "reports"
    try:
        with console.status("comparing every pair of submissions..."):
            comparison = similarity.write(
                submissions,
                reports,
                assignment=_assignment(),
                threshold=similarity.THRESHOLD if threshold is None else threshold,
            )
    except similarity.SimilarityError as error:
        print(f"rnnlab: {error}", file=sys.stderr)
        return 2
    shown = 20
    for pair in comparison.flagged[:shown]:
        first, second = pair.students
        console.print(
            f"similar {pair.module}: {first} and {second} ({100 * pair.score:.0f}%)", markup=False
        )
    if len(comparison.flagged) > shown:
        console.print(f"... and {len(comparison.flagged) - shown} more (`rnnlab report` lists all)")
    for student, why in comparison.skipped.items():
        console.print(f"not compared: {student}: {why}", markup=False)
    console.print(
        f"{len(comparison.flagged)} pairs at or above {100 * comparison.threshold:.0f}%; wrote "
        f"{reports / 'similarity.html'} (for the instructor only)",
        markup=False,
    )
    return 0


def _share(text: str) -> float:
    """An argparse ``type``: a share from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share from 0 to 1")
    return value


def _report(args: argparse.Namespace) -> int:
    from autograder import reports

    written = reports.write(args.gradebook, _assignment())
    folder = written.class_html.parent
    print(
        f"wrote {written.class_html}, {written.class_png} and {len(written.students)} student "
        f"pages in {folder / 'students'}"
    )
    return 0


def _late_policy(args: argparse.Namespace):
    """``--due`` with ``--penalty-per-day`` and ``--cutoff-days`` as a ``roster.LatePolicy``
    (None without ``--due``)."""
    from autograder import roster
    from autograder.classroom import BatchError

    if args.due is None:
        for flag, value in (
            ("--penalty-per-day", args.penalty_per_day),
            ("--cutoff-days", args.cutoff_days),
        ):
            if value is not None:
                raise BatchError(f"argument {flag}: needs --due (the due date it counts from)")
        return None
    return roster.LatePolicy(args.due, args.penalty_per_day or 0.0, args.cutoff_days)


def _policy_argument(name: str):
    """An argparse ``type`` from ``roster.<name>``: its error names the argument."""

    def convert(text: str):
        from autograder import roster

        try:
            return getattr(roster, name)(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = name
    return convert


def _add_late_policy(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--due",
        type=_policy_argument("parse_due"),
        metavar="WHEN",
        help="the due date, e.g. 2026-12-01T23:59 (local time unless it has an offset such as "
        "-08:00 or Z; a date alone: 23:59 that day)",
    )
    command.add_argument(
        "--penalty-per-day",
        type=_policy_argument("parse_percent"),
        metavar="PCT",
        help="with --due: percent of the total taken off per started day late (default 0)",
    )
    command.add_argument(
        "--cutoff-days",
        type=_policy_argument("parse_days"),
        metavar="DAYS",
        help="with --due: more than DAYS late scores 0, status late-cutoff (default: never)",
    )


def _regrade(args: argparse.Namespace) -> int:
    from autograder import export

    assignment = _assignment()
    changes = export.regrade(args.gradebook, assignment, _late_policy(args))
    moved = [c for c in changes if abs(c.after - c.before) > 1e-9]
    for change in moved:
        print(f"{change.student}: {change.before:g} -> {change.after:g}")
    print(
        f"regraded {args.gradebook}: {len(changes)} rows rescored from their results, "
        f"{len(moved)} changed; no submission code ran"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from autograder import export

    assignment = _assignment()
    if args.format == "canvas":
        written, blank = export.canvas(
            args.gradebook, args.output, assignment, args.assignment_name
        )
        print(f"wrote {args.output}: {written} students for Canvas's gradebook import")
        if blank:
            print(
                f"rnnlab: {len(blank)} students left blank (a grader error, no grade yet): "
                + ", ".join(blank),
                file=sys.stderr,
            )
    else:
        written = export.long_csv(args.gradebook, args.output, assignment)
        print(f"wrote {args.output}: {written} rows, one per student and test")
    return 0


def _build(args: argparse.Namespace) -> int:
    from autograder import stubs
    from autograder.build import build, gradescope_note

    assignment = _assignment()
    console = _console()
    for path in stubs.stale_stubs(assignment):  # build() rewrites them first
        console.print(f"{_shown(path)} was out of date: regenerated", markup=False)
    with console.status("building the student kit and the grading zip..."):
        built = build(args.output, assignment)
    for name, path in built.items():
        console.print(f"{name}: {path}", markup=False)
    console.print(gradescope_note(assignment), markup=False)
    return 0


def _check(args: argparse.Namespace) -> int:
    from autograder.grade import grade, prewarm

    assignment = _assignment()
    chosen = [assignment.question(q) for q in args.question or ()] or list(assignment.questions)
    prewarm(assignment, chosen)  # the libraries import while we do
    from autograder import results

    console = _console()
    with console.status("checking..."):
        report = grade(args.path, assignment=assignment, questions=chosen, public_only=True)
    results.summary(report, console)
    if report.grader_errors:
        return _report_grader_errors(report, None)
    return 0 if all(o.passed for o in report.outcomes) else 1


def _mutate(args: argparse.Namespace) -> int:
    import json
    import time

    from autograder import mutate

    assignment = _assignment()
    chosen = [assignment.question(q) for q in args.question or ()] or list(assignment.questions)
    console = _console()
    generated = mutate.generate(chosen, assignment=assignment)
    picked = mutate.sample(generated, args.n, args.seed)
    workers = args.workers or mutate.default_workers()
    console.print(f"{len(generated)} mutants, grading {len(picked)} with {workers} workers")
    progress, task = _progress(console, "mutants", len(picked))

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

    from autograder import variants

    assignment = _assignment()
    chosen = [assignment.question(q) for q in args.question or ()] or list(assignment.questions)
    console = _console()
    try:
        generated = variants.generate(chosen, per_question=args.per_question, assignment=assignment)
    except variants.VariantError as error:
        print(f"rnnlab variants: {error}", file=sys.stderr)
        return 2
    picked = variants.sample(generated, args.n, args.seed)
    console.print(f"{len(generated)} equivalent variants, grading {len(picked)}")
    progress, task = _progress(console, "variants", len(picked))

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


def _validate(args: argparse.Namespace) -> int:
    from autograder import manifest, results
    from autograder.grade import grade

    assignment = manifest.load(args.path) if args.path is not None else _assignment()
    manifest.check(assignment)
    console = _console()
    with console.status(f"grading the reference of {assignment.name}..."):
        report = grade(assignment.reference, assignment=assignment)
    failed = [o for o in report.outcomes if not o.passed]
    tests = sum(len(q.tests) for q in assignment.questions)
    if failed:
        log = results.grader_log(report)
        if log:
            print(log, file=sys.stderr)
        print(
            f"rnnlab validate: {_shown(assignment.path)}: {len(failed)} of {tests} tests fail "
            "on the reference:",
            file=sys.stderr,
        )
        for outcome in failed:
            first = (outcome.output.strip().splitlines() or [""])[0]
            print(f"  {outcome.question.id}.{outcome.test.id}: {first}", file=sys.stderr)
        return 1
    questions = len(assignment.questions)
    console.print(
        f"OK {assignment.name}: {questions} question{'s' * (questions != 1)}, {tests} "
        f"test{'s' * (tests != 1)}, {assignment.total:g} points; the reference passes every "
        f"test ({report.seconds:.1f} s)",
        markup=False,
    )
    return 0


def _new(args: argparse.Namespace) -> int:
    from autograder import stubs

    written = stubs.skeleton(args.dir, name=args.name, title=args.title)
    for path in written:
        print(f"wrote {_shown(path)}")
    print(f"next: rnnlab validate {_shown(args.dir / 'assignment')}")
    return 0


def _progress(console, label: str, total: int | None):
    """A bar of ``total`` items (None: not known yet) for ``console``, and its task:
    ``progress.advance(task)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    progress = Progress(
        label, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    return progress, progress.add_task("", total=total)


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


class _Parser(argparse.ArgumentParser):
    """The top-level parser, which knows why the assignment's own commands are missing."""

    missing: str | None = None
    """Why the assignment's commands could not be added (None: they were, or it has none)."""
    engine_commands: frozenset[str] = frozenset()


def _assignment_commands() -> tuple[object | None, str | None]:
    """The current assignment's ``register`` (None if it has none), or why it cannot be had."""
    from autograder import manifest
    from autograder.impl import fresh_name, load_file

    try:
        path = manifest.current().commands
    except manifest.ManifestError as error:
        return None, str(error)
    if path is None:
        return None, None
    try:
        return load_file(path, fresh_name("_rnnlab_commands")).register, None
    except Exception as error:  # noqa: BLE001 - the instructor's file: said when it matters
        return None, f"{path}: the assignment's commands: {type(error).__name__}: {error}"


def _top() -> tuple[_Parser, argparse._SubParsersAction]:
    top = _Parser(prog="rnnlab", description=DESCRIPTION)
    top.add_argument(
        "--assignment",
        type=Path,
        metavar="PATH",
        help=f"the assignment's manifest, or its folder (default: ${ASSIGNMENT_ENV}, "
        "else the project's assignment/)",
    )
    return top, top.add_subparsers(dest="command", required=True, metavar="COMMAND")


def parser() -> argparse.ArgumentParser:
    """The current assignment's own commands (listed first), then rnnlab's."""
    top, commands = _top()
    engine = frozenset(_top_commands(_add_engine_commands))
    register, missing = _assignment_commands()
    if register is not None:
        try:
            register(commands)
        except Exception as error:  # noqa: BLE001 - as above
            missing = f"the assignment's commands: register: {type(error).__name__}: {error}"
        clash = sorted(engine & set(commands.choices))
        if clash:
            missing = f"the assignment's commands: {clash[0]!r} is one of rnnlab's own"
        if missing:  # start again without them: a half-registered set is no use
            top, commands = _top()
    _add_engine_commands(commands)
    top.engine_commands = engine
    top.missing = missing
    if missing:
        top.epilog = f"The assignment's own commands are missing: {missing}"
    return top


def _top_commands(add) -> list[str]:
    """The names of the commands ``add`` adds, on a scratch parser."""
    _, commands = _top()
    add(commands)
    return list(commands.choices)


def _add_engine_commands(commands: argparse._SubParsersAction) -> None:
    grade = commands.add_parser(
        "grade", help="grade a submission (folder, zip, or notebook export zip): all tests"
    )
    grade.add_argument("submission", type=Path)
    grade.add_argument("-o", "--output", type=Path, help="write Gradescope's results.json here")
    grade.add_argument("-q", "--quiet", action="store_true", help="only the score table")
    grade.set_defaults(run=_grade)

    grade_all = commands.add_parser(
        "grade-all", help="grade a folder of submissions (one folder or zip per student)"
    )
    grade_all.add_argument("submissions", type=Path)
    grade_all.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("grades/gradebook.csv"),
        help="the gradebook CSV; results/ goes beside it (default: grades/gradebook.csv)",
    )
    grade_all.add_argument(
        "--workers", type=int, help="students graded at once on this machine (default 1)"
    )
    grade_all.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on the workers of the Dask scheduler at ADDRESS (tcp://HOST:8786), one "
        "task per student; not with --workers. Needs: pip install 'rnnlab[dask]'",
    )
    grade_all.add_argument(
        "--resume", action="store_true", help="skip the students already in the gradebook"
    )
    grade_all.add_argument(
        "--timeout",
        type=float,
        help="seconds one student may take before a 'timeout' row (default: the most the "
        "rubric's question budgets allow, plus a minute)",
    )
    grade_all.add_argument(
        "--roster",
        type=Path,
        metavar="FILE",
        help="who handed in what: a CSV (student = folder or zip name, name, sid, email, "
        "submitted_at) or a Gradescope submission_metadata.yml (default: the one in "
        "SUBMISSIONS, if any)",
    )
    _add_late_policy(grade_all)
    grade_all.add_argument(
        "--only",
        action="append",
        metavar="STUDENT",
        help="regrade only this student (id or folder name), in place; repeat for more",
    )
    grade_all.add_argument(
        "-q",
        "--question",
        action="append",
        metavar="QUESTION",
        help="regrade only this question, merged into each student's results; repeat for more",
    )
    grade_all.add_argument(
        "--similarity",
        action="store_true",
        help="then compare every pair of submissions (as `rnnlab similarity`)",
    )
    grade_all.add_argument(
        "--similarity-threshold",
        dest="threshold",
        type=_share,
        metavar="SHARE",
        help="with --similarity: flag pairs whose overlap reaches SHARE (default 0.7)",
    )
    grade_all.set_defaults(run=_grade_all)

    report = commands.add_parser(
        "report",
        help="write HTML reports beside a gradebook: one per student, one for the class",
    )
    report.add_argument(
        "gradebook",
        type=Path,
        nargs="?",
        default=Path("grades/gradebook.csv"),
        help="the gradebook grade-all wrote (default: grades/gradebook.csv); the reports go "
        "in reports/ beside it",
    )
    report.set_defaults(run=_report)

    similar = commands.add_parser(
        "similarity",
        help="compare every pair of submissions, module by module (copydetect; instructor only)",
    )
    similar.add_argument("submissions", type=Path)
    similar.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("grades/gradebook.csv"),
        help="the gradebook; reports/similarity.html goes beside it (default: "
        "grades/gradebook.csv)",
    )
    similar.add_argument(
        "--threshold",
        type=_share,
        metavar="SHARE",
        help="flag pairs whose overlap reaches SHARE, 0 to 1 (default 0.7)",
    )
    similar.set_defaults(run=_similarity)

    regrade = commands.add_parser(
        "regrade",
        help="rescore a gradebook from its results after points moved in the manifest "
        "(no submission code runs)",
    )
    regrade.add_argument("gradebook", type=Path)
    _add_late_policy(regrade)
    regrade.set_defaults(run=_regrade)

    export = commands.add_parser("export", help="a gradebook for an LMS, or one row per test")
    export.add_argument(
        "format",
        choices=["canvas", "csv"],
        help="canvas: Canvas's gradebook import; csv: one row per student and test",
    )
    export.add_argument("gradebook", type=Path)
    export.add_argument("-o", "--output", type=Path, required=True, help="the CSV to write")
    export.add_argument(
        "--assignment-name",
        help="canvas: the assignment's column (default: the assignment's title); an existing "
        "Canvas assignment as its export names it, e.g. 'Lab 3 (12345)'",
    )
    export.set_defaults(run=_export)

    check = commands.add_parser("check", help="run the public tests on your modules")
    check.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=Path("."),
        help="the folder with your modules (default: here)",
    )
    check.add_argument(
        "-q",
        "--question",
        action="append",
        help="only this question (its id in the manifest); repeat for more",
    )
    check.set_defaults(run=_check)

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

    build = commands.add_parser(
        "build", help="make the student kit (with its notebook) and the otter grading zip"
    )
    build.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("dist"),
        help="where to write student/, student.zip, autograder.zip (default: dist)",
    )
    build.set_defaults(run=_build)

    stubs = commands.add_parser(
        "stubs",
        help="regenerate the student stubs (and the public tests' points) from the reference",
    )
    stubs.add_argument(
        "--check",
        action="store_true",
        help="only check that they are up to date (exit 1 if not)",
    )
    stubs.set_defaults(run=_stubs)

    validate = commands.add_parser(
        "validate", help="check an assignment's manifest and grade its reference: all must pass"
    )
    validate.add_argument(
        "path",
        type=Path,
        nargs="?",
        help="the manifest, or its folder (default: the current assignment)",
    )
    validate.set_defaults(run=_validate)

    new = commands.add_parser(
        "new", help="write a skeleton assignment (one question, a public and a hidden test)"
    )
    new.add_argument("dir", type=Path, help="where (must not exist, or be empty)")
    new.add_argument("--name", help="the assignment's short name (default: DIR's name)")
    new.add_argument("--title", help="its title (default: the name)")
    new.set_defaults(run=_new)


def _choose_assignment(argv: list[str]) -> list[str]:
    """Act on ``--assignment PATH`` before the parser is made (it loads that assignment's
    commands); the arguments without it."""
    from autograder import manifest

    early = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    early.add_argument("--assignment", type=Path)
    known, rest = early.parse_known_args(argv)
    if known.assignment is not None:
        os.environ[ASSIGNMENT_ENV] = str(known.assignment.resolve())
        manifest.current.cache_clear()
    return rest


def main(argv: list[str] | None = None) -> int:
    from autograder.classroom import BatchError
    from autograder.gradebook import GradebookError
    from autograder.impl import ImplError
    from autograder.manifest import ManifestError
    from autograder.rubric import UnknownQuestion
    from autograder.stubs import SkeletonError

    argv = sys.argv[1:] if argv is None else list(argv)
    rest = _choose_assignment(argv)
    top = parser()
    command = next((a for a in rest if not a.startswith("-")), None)
    if top.missing and command is not None and command not in top.engine_commands:
        print(f"rnnlab: error: {top.missing}", file=sys.stderr)  # what `command` needed
        return 2
    args = top.parse_args(argv)
    try:
        return args.run(args)
    except (
        BatchError,
        GradebookError,
        ImplError,
        ManifestError,
        SkeletonError,
        UnknownQuestion,
        FileNotFoundError,
    ) as error:
        print(f"rnnlab: error: {error}", file=sys.stderr)
        return 2
    except NotImplementedError as error:
        print(f"rnnlab: {error} (not written yet: fill in the stub and run again)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rnnlab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
