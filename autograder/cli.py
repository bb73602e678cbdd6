"""The ``rnnlab`` command line: thin argument parsing over library calls."""

import argparse
import sys
from pathlib import Path

from autograder import ROOT

GRADER_ERROR_EXIT = 3
"""``rnnlab grade`` and ``check``: some test hit a fault of the grader's (logged), not a verdict."""


def _lab_sine(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from autograder import impl
    from autograder.lab import sine

    config = sine.BETTER if args.better else sine.SHEET
    if args.epochs is not None:
        config = replace(config, nepoch=args.epochs)
    sine.run(impl.load(args.impl, ("rnn",)), args.out, replace(config, seed=args.seed), _console())
    return 0


def _lab_sentiment(args: argparse.Namespace) -> int:
    from autograder import impl
    from autograder.lab import sentiment
    from data.sentiment import locate

    locate(args.data)  # a missing data set is said before TensorFlow loads
    modules = impl.load(args.impl, ("vocab", "labels", "padding", "splits", "lstm"))
    sentiment.run(
        modules,
        args.data,
        args.out,
        epochs=args.epochs,
        lstm_size=args.lstm_size,
        lstm_layers=args.lstm_layers,
        embed_size=args.embed_size,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        keep_prob=args.keep_prob,
        limit=args.limit,
        seed=args.seed,
        shuffle=args.shuffle,
        fresh_state=args.fresh_state,
        console=_console(),
    )
    return 0


def _data_fetch(args: argparse.Namespace) -> int:
    from data import sentiment

    console = _console()
    with _progress(console) as progress:
        tasks: dict[str, int] = {}

        def report(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=total)
            progress.update(tasks[name], completed=done)

        paths = sentiment.fetch(args.dest, source=args.source, progress=report)
    for name, path in paths.items():
        console.print(f"{name}: verified, {path}")
    return 0


def _stubs(args: argparse.Namespace) -> int:
    from autograder import stubs

    reference, assignment = ROOT / "reference", ROOT / "assignment"
    if args.check:
        stale = stubs.stale_stubs(reference, assignment)
        for name in stale:
            print(f"assignment/{name} is out of date: run `rnnlab stubs`", file=sys.stderr)
        return 1 if stale else 0
    for path in stubs.write_stubs(reference, assignment):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from autograder import results
    from autograder.grade import grade
    from autograder.impl import ImplError

    if not args.submission.exists():
        raise ImplError(f"{args.submission} does not exist")
    console = _console()
    hidden = [args.output.resolve().parent] if args.output else []
    with console.status("grading...") as status:
        report = grade(
            args.submission,
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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from autograder import batch, results

    console = _console()
    progress = Progress(
        "grading", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    task = progress.add_task("", total=None)

    def start(todo: int, skipped: int) -> None:
        progress.update(task, total=todo)
        if skipped:
            console.print(f"resuming: {skipped} students already in {args.output}")

    def row(done: batch.Row) -> None:
        progress.advance(task)
        progress.console.print(f"{done.student}: {done.total:g}  {done.status}")

    with progress:
        batch.grade_all(
            args.submissions,
            args.output,
            workers=args.workers,
            resume=args.resume,
            timeout=args.timeout,
            on_row=row,
            on_start=start,
        )
    rates = batch.pass_rates(args.output.parent / "results")
    results.pass_rate_table(rates, console)
    if rates:
        chart = args.output.with_name("pass_rates.png")
        batch.plot_pass_rates(rates, chart)
        console.print(f"wrote {args.output} and {chart}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from autograder.build import GRADESCOPE_NOTE, build

    console = _console()
    with console.status("building the student kit and the grading zip..."):
        built = build(args.output)
    for name, path in built.items():
        console.print(f"{name}: {path}")
    console.print(GRADESCOPE_NOTE, markup=False)
    return 0


def _check(args: argparse.Namespace) -> int:
    from autograder import results
    from autograder.grade import grade
    from autograder.rubric import QUESTIONS, question

    chosen = [question(q) for q in args.question] if args.question else list(QUESTIONS)
    console = _console()
    with console.status("checking..."):
        report = grade(args.path, questions=chosen, public_only=True)
    results.summary(report, console)
    if report.grader_errors:
        return _report_grader_errors(report, None)
    return 0 if all(o.passed for o in report.outcomes) else 1


def _mutate(args: argparse.Namespace) -> int:
    import json
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from autograder import mutate
    from autograder.rubric import QUESTIONS, question

    chosen = [question(q) for q in args.question] if args.question else list(QUESTIONS)
    console = _console()
    generated = mutate.generate(chosen)
    picked = mutate.sample(generated, args.n, args.seed)
    workers = args.workers or mutate.default_workers()
    console.print(f"{len(generated)} mutants, grading {len(picked)} with {workers} workers")
    progress = Progress(
        "mutants", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )
    task = progress.add_task("", total=len(picked))

    def done(result: mutate.Result) -> None:
        progress.advance(task)
        if result.status in ("survived", "leak", "grader-fault"):
            m = result.mutant
            progress.console.print(f"{m.id} {result.status}: {m.description}", markup=False)

    started = time.monotonic()
    with progress:
        results = mutate.run(picked, workers=workers, on_result=done)
    seconds = time.monotonic() - started
    mutate.print_report(generated, results, console, seconds)
    if args.json:
        data = mutate.as_json(
            generated, results, seed=args.seed, n=args.n, workers=workers, seconds=seconds
        )
        args.json.write_text(json.dumps(data, indent=1))
        console.print(f"wrote {args.json}")
    return GRADER_ERROR_EXIT if any(r.status == "grader-fault" for r in results) else 0


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _progress(console):
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=console
    )


def _default_data_dir() -> Path:
    from data.sentiment import DEFAULT_DIR

    return DEFAULT_DIR


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="rnnlab", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lab = commands.add_parser("lab", help="run one half of the lab end to end")
    labs = lab.add_subparsers(dest="lab", required=True, metavar="PART")
    impl_help = "'reference', 'assignment', or a folder with your filled-in modules"

    sine = labs.add_parser("sine", help="part 1: the numpy RNN on a sine wave")
    sine.add_argument("--impl", default="reference", help=impl_help)
    sine.add_argument(
        "--better",
        action="store_true",
        help="better hyperparameters than the sheet's (init U(-0.3, 0.3), lr 0.01, 30 epochs)",
    )
    sine.add_argument("--epochs", type=int, help="override the number of epochs")
    sine.add_argument("--seed", type=int, default=0)
    sine.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("runs/sine"),
        help="where to write sine.png and sine.json (default: runs/sine)",
    )
    sine.set_defaults(run=_lab_sine)

    sent = labs.add_parser("sentiment", help="part 2: the TensorFlow LSTM on movie reviews")
    sent.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder with reviews.txt and labels.txt (plain or .gz); "
        "default: where `rnnlab data fetch` puts them",
    )
    sent.add_argument("--impl", default="reference", help=impl_help)
    sent.add_argument("--epochs", type=int, default=10)
    sent.add_argument("--lstm-size", type=int, default=256)
    sent.add_argument("--lstm-layers", type=int, default=1)
    sent.add_argument("--embed-size", type=int, default=300)
    sent.add_argument("--batch-size", type=int, default=500)
    sent.add_argument("--learning-rate", type=float, default=0.001)
    sent.add_argument("--keep-prob", type=float, default=0.5)
    sent.add_argument("--limit", type=int, help="use only the first N reviews (a quick run)")
    sent.add_argument("--seed", type=int, default=0)
    sent.add_argument(
        "--shuffle",
        action="store_true",
        help="shuffle the training reviews every epoch (the sheet does not)",
    )
    sent.add_argument(
        "--fresh-state",
        action="store_true",
        help="start every batch from the zero state (the sheet carries the "
        "state from one batch of reviews into the next)",
    )
    sent.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("runs/sentiment"),
        help="where to write the checkpoint and plots (default: runs/sentiment)",
    )
    sent.set_defaults(run=_lab_sentiment)

    data = commands.add_parser("data", help="the movie-review data set")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    fetch = data_commands.add_parser(
        "fetch", help="download reviews.txt and labels.txt and verify their checksums"
    )
    fetch.add_argument(
        "--dest",
        type=Path,
        default=None,
        help="where to put them (default: $RNNLAB_DATA or ~/.cache/rnnlab/sentiment)",
    )
    fetch.add_argument(
        "--from",
        dest="source",
        type=Path,
        help="copy from this folder (plain or .gz files) instead of downloading",
    )
    fetch.set_defaults(run=_data_fetch)

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
        "--workers", type=int, default=1, help="students graded at once (default 1)"
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
    grade_all.set_defaults(run=_grade_all)

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
        help="only this question (e.g. rnn_backward); repeat for more",
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

    stubs = commands.add_parser("stubs", help="regenerate assignment/ from reference/")
    stubs.add_argument(
        "--check",
        action="store_true",
        help="only check that assignment/ is up to date (exit 1 if not)",
    )
    stubs.set_defaults(run=_stubs)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for name in ("data", "dest"):
        if getattr(args, name, "unset") is None:
            setattr(args, name, _default_data_dir())
    from autograder.impl import ImplError
    from autograder.rubric import UnknownQuestion
    from data.sentiment import DataError

    try:
        return args.run(args)
    except (DataError, ImplError, UnknownQuestion, FileNotFoundError) as error:
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
