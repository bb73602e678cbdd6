"""Commands that make what students get: the kit and grading zip, the stubs, a new assignment."""

import argparse
import sys
from pathlib import Path

from autograder.cli.common import current_assignment, make_console, shown


def _build(args: argparse.Namespace) -> int:
    from autograder.kit import sizing, stubs
    from autograder.kit.build import build, gradescope_note, grading_readme

    assignment = current_assignment()
    console = make_console()
    for path in stubs.stale_stubs(assignment):  # build() rewrites them first
        console.print(f"{shown(path)} was out of date: regenerated", markup=False)
    with console.status("building the student kit and the grading zip..."):
        built = build(args.output, assignment)
    for name, path in built.items():
        console.print(f"{name}: {path}", markup=False)
    console.print(gradescope_note(assignment), markup=False)
    if args.measure:
        with console.status("measuring the memory of a grade through otter run..."):
            footprint = sizing.measure_otter_path(
                built["student"], built["autograder.zip"], assignment
            )
        memory = sizing.advice(footprint)
        sizing.add_to_readme(built["autograder.zip"], grading_readme(assignment, memory))
        console.print(memory, markup=False)
    return 0


def _stubs(args: argparse.Namespace) -> int:
    from autograder.kit import stubs

    assignment = current_assignment()
    if args.check:
        stale = stubs.stale_stubs(assignment)
        for path in stale:
            print(f"{shown(path)} is out of date: run `rnnlab stubs`", file=sys.stderr)
        return 1 if stale else 0
    for path in stubs.write_stubs(assignment):
        print(f"wrote {shown(path)}")
    return 0


def _new(args: argparse.Namespace) -> int:
    from autograder.kit import skeleton

    written = skeleton.skeleton(args.dir, name=args.name, title=args.title)
    for path in written:
        print(f"wrote {shown(path)}")
    print(f"next: rnnlab validate {shown(args.dir / 'assignment')}")
    return 0


def add_build(commands: argparse._SubParsersAction) -> None:
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
    build.add_argument(
        "--no-measure",
        dest="measure",
        action="store_false",
        help="skip measuring the memory a grade of the reference needs through otter run",
    )
    build.set_defaults(run=_build)


def add_stubs(commands: argparse._SubParsersAction) -> None:
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


def add_new(commands: argparse._SubParsersAction) -> None:
    new = commands.add_parser(
        "new", help="write a skeleton assignment (one question, a public and a hidden test)"
    )
    new.add_argument("dir", type=Path, help="where (must not exist, or be empty)")
    new.add_argument("--name", help="the assignment's short name (default: DIR's name)")
    new.add_argument("--title", help="its title (default: the name)")
    new.set_defaults(run=_new)
