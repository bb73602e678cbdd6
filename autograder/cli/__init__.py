"""The ``rnnlab`` command line: thin argument parsing over library calls.

The engine's commands work on the current assignment: ``--assignment PATH`` (a
manifest or its folder), else ``$RNNLAB_ASSIGNMENT``, else the project's
``assignment/``. The assignment may add commands of its own: its manifest's
``commands`` file defines ``register(subparsers)``, and they are listed first.
"""

import argparse
import os
import resource
import sys
from pathlib import Path

from autograder.cli import classes, cluster, grading, kit, mutation
from autograder.cli.common import ASSIGNMENT_ENV, GRADER_ERROR_EXIT
from autograder.errors import RnnlabError

__all__ = ["ASSIGNMENT_ENV", "GRADER_ERROR_EXIT", "main", "parser"]

DESCRIPTION = (
    "Grade, check and build an assignment declared by its manifest (rnnlab.toml). The "
    "commands below work on the current assignment: --assignment PATH, else "
    "$RNNLAB_ASSIGNMENT, else the project's assignment/; the first ones listed, if any, "
    "are the assignment's own."
)


class _Parser(argparse.ArgumentParser):
    """The top-level parser, which knows why the assignment's own commands are missing."""

    missing: str | None = None
    """Why the assignment's commands could not be added (None: they were, or it has none)."""
    engine_commands: frozenset[str] = frozenset()


def _assignment_commands() -> tuple[object | None, str | None]:
    """The current assignment's ``register`` (None if it has none), or why it cannot be had."""
    from autograder.formats import manifest
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


ENGINE_COMMANDS = (
    grading.add_grade,
    classes.add_grade_all,
    cluster.add_cluster,
    classes.add_report,
    classes.add_similarity,
    classes.add_regrade,
    classes.add_export,
    grading.add_check,
    mutation.add_mutate,
    mutation.add_variants,
    kit.add_build,
    kit.add_stubs,
    grading.add_validate,
    kit.add_new,
)
"""The engine's commands, each added by its module, in the order ``rnnlab --help`` lists them."""


def _add_engine_commands(commands: argparse._SubParsersAction) -> None:
    for add in ENGINE_COMMANDS:
        add(commands)


def _choose_assignment(argv: list[str]) -> list[str]:
    """Act on ``--assignment PATH`` before the parser is made (it loads that assignment's
    commands); the arguments without it."""
    from autograder.formats import manifest

    early = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    early.add_argument("--assignment", type=Path)
    known, rest = early.parse_known_args(argv)
    if known.assignment is not None:
        os.environ[ASSIGNMENT_ENV] = str(known.assignment.resolve())
        manifest.current.cache_clear()
    return rest


def main(argv: list[str] | None = None) -> int:
    # A core dump of the grader would hold the reference and the hidden checks: write none.
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
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
    except (RnnlabError, FileNotFoundError) as error:
        print(f"rnnlab: error: {error}", file=sys.stderr)
        return 2
    except NotImplementedError as error:
        print(f"rnnlab: {error} (not written yet: fill in the stub and run again)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rnnlab: interrupted", file=sys.stderr)
        return 130
