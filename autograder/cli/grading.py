"""Commands on one submission: grade it, check it against the public tests, validate an
assignment by grading its reference."""

import argparse
import sys
import time
from pathlib import Path

from autograder.cli.common import GRADER_ERROR_EXIT, current_assignment, make_console, shown
from autograder.grading import requirements


def _grade(args: argparse.Namespace) -> int:
    from autograder.grading.grade import grade, prewarm
    from autograder.impl import ImplError

    if not args.submission.exists():
        raise ImplError(f"{args.submission} does not exist")
    assignment = current_assignment()
    requirements.check(assignment)
    prewarm(assignment, assignment.questions)  # the libraries import while we do
    from autograder.cli import tables
    from autograder.formats import results

    console = make_console()
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
    tables.summary(report, console, details=not args.quiet)
    if args.output:
        console.print(f"wrote {args.output}")
    return _report_grader_errors(report, args.output)


def _report_grader_errors(report, output: Path | None) -> int:
    """Log the grader's own faults for the instructor; the exit code says whether there were any."""
    from autograder.formats import results
    from autograder.formats.files import write_atomic

    log = results.grader_log(report)
    if not log:
        return 0
    if output is not None:
        path = output.with_name("grader-errors.log")
        write_atomic(path, log)
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


def _check(args: argparse.Namespace) -> int:
    from autograder.grading.grade import grade, prewarm

    assignment = current_assignment()
    requirements.check(assignment)
    chosen = [assignment.question(q) for q in args.question or ()] or list(assignment.questions)
    prewarm(assignment, chosen)  # the libraries import while we do
    from autograder.cli import tables

    console = make_console()
    with console.status("checking..."):
        report = grade(args.path, assignment=assignment, questions=chosen, public_only=True)
    tables.summary(report, console)
    if report.grader_errors:
        return _report_grader_errors(report, None)
    return 0 if all(o.passed for o in report.outcomes) else 1


def _validate(args: argparse.Namespace) -> int:
    from autograder.formats import manifest, results
    from autograder.grading.grade import grade
    from autograder.mutate import wrong_answers

    assignment = manifest.load(args.path) if args.path is not None else current_assignment()
    manifest.check(assignment)
    requirements.check(assignment)
    console = make_console()
    with console.status(f"grading the reference of {assignment.name}..."):
        report = grade(assignment.reference, assignment=assignment)
    failed = [o for o in report.outcomes if not o.passed]
    tests = sum(len(q.tests) for q in assignment.questions)
    if failed:
        log = results.grader_log(report)
        if log:
            print(log, file=sys.stderr)
        print(
            f"rnnlab validate: {shown(assignment.path)}: {len(failed)} of {tests} tests fail "
            "on the reference:",
            file=sys.stderr,
        )
        for outcome in failed:
            first = (outcome.output.strip().splitlines() or [""])[0]
            print(f"  {outcome.question.id}.{outcome.test.id}: {first}", file=sys.stderr)
        return 1
    with console.status("grading each hidden test on wrong answers..."):
        started = time.monotonic()
        found, runs = wrong_answers.fragile(assignment)
        seconds = time.monotonic() - started
    if found:
        print(
            f"rnnlab validate: {shown(assignment.path)}: {len(found)} hidden "
            f"{'test crashes' if len(found) == 1 else 'tests crash'} on a wrong answer (a "
            "grader error, where a student should get a verdict; expect_structure checks an "
            "answer's shape):",
            file=sys.stderr,
        )
        for test in found:
            where = f" at {test.where}" if test.where else ""
            more = f" (and {len(test.answers) - 1} more)" if len(test.answers) > 1 else ""
            print(
                f"  {test.question}.{test.test}: {test.error}{where}, on {test.answers[0]}{more}",
                file=sys.stderr,
            )
        return 1
    questions = len(assignment.questions)
    console.print(
        f"OK {assignment.name}: {questions} question{'s' * (questions != 1)}, {tests} "
        f"test{'s' * (tests != 1)}, {assignment.total:g} points; the reference passes every "
        f"test ({report.seconds:.1f} s); every hidden test gives a verdict on "
        f"{len(wrong_answers.WRONG_ANSWERS)} wrong answers ({runs} runs, {seconds:.1f} s)",
        markup=False,
    )
    return 0


def add_grade(commands: argparse._SubParsersAction) -> None:
    grade = commands.add_parser(
        "grade", help="grade a submission (folder, zip, or notebook export zip): all tests"
    )
    grade.add_argument("submission", type=Path)
    grade.add_argument("-o", "--output", type=Path, help="write Gradescope's results.json here")
    grade.add_argument("-q", "--quiet", action="store_true", help="only the score table")
    grade.set_defaults(run=_grade)


def add_check(commands: argparse._SubParsersAction) -> None:
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


def add_validate(commands: argparse._SubParsersAction) -> None:
    validate = commands.add_parser(
        "validate",
        help="check an assignment's manifest, grade its reference (all must pass), and run "
        "each hidden test on wrong answers (each must give a verdict, not a grader error)",
    )
    validate.add_argument(
        "path",
        type=Path,
        nargs="?",
        help="the manifest, or its folder (default: the current assignment)",
    )
    validate.set_defaults(run=_validate)
