"""Commands on a class: grade every submission into a gradebook, report on it, compare the
submissions, rescore it, export it to an LMS."""

import argparse
import sys
from pathlib import Path

from autograder.cli.common import current_assignment, make_console, progress_bar, share


def _grade_all(args: argparse.Namespace) -> int:
    from autograder.batch import local as batch
    from autograder.errors import UsageError
    from autograder.formats import gradebook

    console = make_console()
    progress, task = progress_bar(console, "grading", None)

    partial = bool(args.only or args.question)
    policy = _late_policy(args)
    if args.scheduler is not None and args.workers is not None:
        raise UsageError(
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

    assignment = current_assignment()
    if policy is not None:
        console.print(f"late policy: {policy.describe()}", markup=False)
    try:
        with progress:
            rows = batch.grade_all(
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
                tls=args.tls,
            )
    except KeyboardInterrupt:
        book = gradebook.read_book(args.output, assignment, same_rubric=False, missing_ok=True)
        kept = len(book.rows)
        print(
            f"rnnlab: interrupted: {kept} rows in {args.output}; `--resume` grades the rest",
            file=sys.stderr,
        )
        return 130
    _summary(args.output, assignment, rows if partial else None, console)
    if args.similarity:
        return _compare(args.submissions, args.output, args.threshold, console, args.roster)
    return 0


def _summary(output: Path, assignment, regraded, console) -> None:
    """What the batch left in the gradebook, read back as the reports read it: which rows a
    partial batch changed, and the pass rate of every test over the book's graded rows."""
    from autograder.cli import tables
    from autograder.errors import UsageError
    from autograder.reports import class_results, figures

    summary = class_results.summarize(class_results.load_class(output, assignment), assignment)
    everyone = len(summary.graded) + len(summary.not_graded)
    if regraded is not None:
        console.print(
            f"regraded {len(regraded)} of the {everyone} rows of {output}; the other "
            f"{everyone - len(regraded)} stay as they were",
            markup=False,
        )
    if not summary.rates:
        console.print(f"wrote {output}: no row of it is graded, so no pass rates", markup=False)
        return
    tables.pass_rate_table(summary.rates, console, len(summary.graded))
    chart = output.with_name("pass_rates.png")
    try:
        figures.plot_pass_rates(summary.rates, chart)
        console.print(f"wrote {output} and {chart}", markup=False)
    except UsageError as error:  # the grading is done: only the chart is missing
        console.print(f"wrote {output}; no {chart.name}: {error}", markup=False)


def _similarity(args: argparse.Namespace) -> int:
    return _compare(args.submissions, args.output, args.threshold, make_console(), args.roster)


def _compare(
    submissions: Path, gradebook: Path, threshold: float | None, console, roster: Path | None
) -> int:
    """Compare every pair of submissions; write the similarity report beside ``gradebook``;
    print the clusters of similar students, the most similar first."""
    from autograder.reports import similarity

    reports = gradebook.parent / "reports"
    try:
        with console.status("comparing every pair of submissions..."):
            comparison = similarity.write(
                submissions,
                reports,
                assignment=current_assignment(),
                threshold=similarity.THRESHOLD if threshold is None else threshold,
                roster=roster,
            )
    except similarity.SimilarityError as error:
        print(f"rnnlab: {error}", file=sys.stderr)
        return 2
    found = similarity.clusters(comparison.flagged, comparison.threshold)
    shown = 20
    for cluster in found[:shown]:
        top = cluster.pairs[0]
        first, second = (comparison.shown(s) for s in top.students)
        said = f"{top.module}: {first} and {second} ({100 * top.score:.0f}%)"
        if len(cluster.pairs) > 1:
            who = ", ".join(comparison.shown(s) for s in cluster.students)
            said = f"{who}: {len(cluster.pairs)} pairs, most {said}"
        console.print(f"similar {said}", markup=False)
    if len(found) > shown:
        console.print(f"... and {len(found) - shown} more clusters (`rnnlab report` lists them)")
    for student, why in comparison.skipped.items():
        console.print(f"not compared: {student}: {why}", markup=False)
    console.print(
        f"{len(comparison.flagged)} pairs at or above {100 * comparison.threshold:.0f}%, in "
        f"{len(found)} clusters; wrote "
        f"{reports / 'similarity.html'} (for the instructor only)",
        markup=False,
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from autograder.reports import pages as reports

    written = reports.write(
        args.gradebook,
        current_assignment(),
        similar_at=args.threshold,
        most=args.clusters,
    )
    folder = written.class_html.parent
    print(
        f"wrote {written.class_html}, {written.class_png} and {len(written.students)} student "
        f"pages in {folder / 'students'}"
    )
    return 0


def _late_policy(args: argparse.Namespace):
    """``--due`` with ``--penalty-per-day`` and ``--cutoff-days`` as a ``roster.LatePolicy``
    (None without ``--due``)."""
    from autograder.errors import UsageError
    from autograder.lms import roster

    if args.due is None:
        for flag, value in (
            ("--penalty-per-day", args.penalty_per_day),
            ("--cutoff-days", args.cutoff_days),
        ):
            if value is not None:
                raise UsageError(f"argument {flag}: needs --due (the due date it counts from)")
        return None
    return roster.LatePolicy(args.due, args.penalty_per_day or 0.0, args.cutoff_days)


def _policy_argument(name: str):
    """An argparse ``type`` from ``roster.<name>``: its error names the argument."""

    def convert(text: str):
        from autograder.lms import roster

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
    from autograder.batch import regrade

    assignment = current_assignment()
    changes = regrade.regrade(args.gradebook, assignment, _late_policy(args))
    moved = [c for c in changes if abs(c.after - c.before) > 1e-9]
    for change in moved:
        print(f"{change.student}: {change.before:g} -> {change.after:g}")
    print(
        f"regraded {args.gradebook}: {len(changes)} rows rescored from their results, "
        f"{len(moved)} changed; no submission code ran"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from autograder.lms import export

    assignment = current_assignment()
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


def add_grade_all(commands: argparse._SubParsersAction) -> None:
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
        help="grade on the workers of the Dask scheduler at ADDRESS (tls://HOST:8786), one "
        "task per student, with --tls; not with --workers. Needs: pip install 'rnnlab[dask]'",
    )
    grade_all.add_argument(
        "--tls",
        type=Path,
        metavar="FOLDER",
        help="with --scheduler: the class's certificates, as `rnnlab cluster init FOLDER` "
        "wrote them (this machine shows client.pem and trusts ca.pem alone)",
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
        type=share,
        metavar="SHARE",
        help="with --similarity: flag pairs whose overlap reaches SHARE (default 0.7)",
    )
    grade_all.set_defaults(run=_grade_all)


def add_report(commands: argparse._SubParsersAction) -> None:
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
    report.add_argument(
        "--similarity-threshold",
        dest="threshold",
        type=share,
        metavar="SHARE",
        help="list the similar submissions whose overlap reaches SHARE (default 0.7; not below "
        "the threshold `rnnlab similarity` compared at)",
    )
    report.add_argument(
        "--similar-clusters",
        dest="clusters",
        type=_positive,
        metavar="N",
        help="list at most N clusters of similar submissions; the rest are counted (default 20)",
    )
    report.set_defaults(run=_report)


def _positive(text: str) -> int:
    """An argparse ``type``: a whole number above 0."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return value


def add_similarity(commands: argparse._SubParsersAction) -> None:
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
        type=share,
        metavar="SHARE",
        help="flag pairs whose overlap reaches SHARE, 0 to 1 (default 0.7)",
    )
    similar.add_argument(
        "--roster",
        type=Path,
        metavar="FILE",
        help="who handed in what, as for grade-all, so that students are named as the "
        "gradebook names them (default: the submission_metadata.yml in SUBMISSIONS, if any)",
    )
    similar.set_defaults(run=_similarity)


def add_regrade(commands: argparse._SubParsersAction) -> None:
    regrade = commands.add_parser(
        "regrade",
        help="rescore a gradebook from its results after points moved in the manifest "
        "(no submission code runs)",
    )
    regrade.add_argument("gradebook", type=Path)
    _add_late_policy(regrade)
    regrade.set_defaults(run=_regrade)


def add_export(commands: argparse._SubParsersAction) -> None:
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
