"""Mutation testing of the grader: do the tests notice a small slip in the reference?

A mutant is the reference with ONE small change in one graded function (a
``-`` for a ``+``, a dropped statement, ``x[0]`` for ``x[-1]`` ...), made by
rewriting the function's AST. Each mutant is graded like a submission on the
questions of its module and classified:

- ``killed``: its own question lost points (a timeout counts: the tests noticed);
- ``leak``: full marks on its own question but points lost on another one, so
  one slip costs a student a question it is not about;
- ``survived``: full marks everywhere: the tests miss this slip, unless it is
  ``equivalent`` (listed, with the reason, in the file the manifest's
  ``equivalent_mutants`` names);
- ``grader-fault``: some test got no verdict because the grader failed.

Mutations touch only the graded functions' solution code (between ``# BEGIN
SOLUTION`` and ``# END SOLUTION``), never docstrings or signatures. Numeric
constants: an int ``c`` becomes ``c + 1`` and ``c - 1``; a float ``c`` becomes
``2 * c`` and ``c / 2`` (``0.0`` becomes ``1.0``): floats here are scales and
bounds, where halving or doubling is the plausible slip.

Generation is deterministic; ``sample(mutants, n, seed)`` picks ``n`` in all,
spread evenly over the questions: the same ones for the same seed. A mutant's
question runs under its profile's ``mutant_seconds`` (the manifest's).
"""

import ast
import copy
import ctypes
import difflib
import hashlib
import os
import random
import shutil
import signal
import tempfile
import time
import tomllib
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from autograder import manifest
from autograder.manifest import Assignment
from autograder.rubric import Question

WORKERS = 2
"""Mutants graded at once: measured fastest on 2 cores (benchmarks/bench_mutate.py)."""
TIMEOUT_WORDS = ("ran out of time", "no answer within")


# -- operators ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A node of a graded function's body, where it sits, and what the function knows."""

    node: ast.AST
    parent: ast.AST
    field: str
    index: int | None
    defaults: dict[str, ast.expr]
    """The function's parameters that have a default, and that default."""
    module_names: frozenset[str]
    """Names bound at the module's top level (imports such as ``np``, ``math``)."""


Operator = Callable[[Site], Iterator[ast.AST]]
"""Yields replacements for ``site.node``: each one becomes one mutant."""

ARITHMETIC: dict[type, tuple[type, ...]] = {
    ast.Add: (ast.Sub, ast.Mult),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div, ast.Add),
    ast.Div: (ast.Mult, ast.FloorDiv),
    ast.FloorDiv: (ast.Div, ast.Mult),
    ast.Mod: (ast.FloorDiv,),
    ast.Pow: (ast.Mult,),
    ast.MatMult: (ast.Mult,),
}
COMPARISON: dict[type, tuple[type, ...]] = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
}
SWAPS: dict[str, tuple[str, ...]] = {
    "round": ("floor", "ceil"),
    "floor": ("round", "ceil"),
    "ceil": ("round", "floor"),
    "min": ("max",),
    "max": ("min",),
    "minimum": ("maximum",),
    "maximum": ("minimum",),
    "argmin": ("argmax",),
    "argmax": ("argmin",),
    "mean": ("sum",),
    "sum": ("mean",),
    "reduce_mean": ("reduce_sum",),
    "reduce_sum": ("reduce_mean",),
    "tanh": ("sigmoid",),
    "sigmoid": ("tanh",),
    "zeros": ("ones",),
    "ones": ("zeros",),
    "zeros_like": ("ones_like",),
    "ones_like": ("zeros_like",),
    "strip": ("rstrip", "lstrip"),
    "lower": ("upper",),
}
"""Functions (by their last name: ``np.max``, ``x.max``, ``max``) a slip can swap."""
CAST_SWAPS: dict[str, tuple[str, ...]] = {"round": ("cast",), "cast": ("round",)}
"""Swaps of an array library's module functions only: ``lib.round`` <-> ``lib.cast``
(rounding a float tensor, or casting it, where both are spelled as functions of the
library). Applied to attributes of a module-level name (``lib.round``), never to methods."""


def drop_statement(site: Site) -> Iterator[ast.AST]:
    """A statement replaced by ``pass``."""
    if isinstance(site.node, ast.stmt) and not isinstance(site.node, ast.Pass):
        yield ast.Pass()


def arithmetic(site: Site) -> Iterator[ast.AST]:
    """``+ - * / // % ** @`` swapped for a likely partner (``+=`` too); unary ``-`` dropped."""
    node = site.node
    if isinstance(node, ast.BinOp | ast.AugAssign):
        for other in ARITHMETIC.get(type(node.op), ()):
            new = copy.deepcopy(node)
            new.op = other()
            yield new
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        if _number(node) is None:  # -2.0 is a constant's business
            yield copy.deepcopy(node.operand)


def comparison(site: Site) -> Iterator[ast.AST]:
    """``< <= > >= == != is in`` swapped for a neighbour or their negation."""
    node = site.node
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for other in COMPARISON.get(type(op), ()):
                new = copy.deepcopy(node)
                new.ops[i] = other()
                yield new


def boolean(site: Site) -> Iterator[ast.AST]:
    """``and`` <-> ``or``; ``not`` dropped."""
    node = site.node
    if isinstance(node, ast.BoolOp):
        new = copy.deepcopy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield new
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield copy.deepcopy(node.operand)


def index_swap(site: Site) -> Iterator[ast.AST]:
    """``x[-1]`` <-> ``x[0]``, also as a part of ``x[:, -1]``."""
    node = site.node
    if not isinstance(node, ast.Subscript):
        return
    tuple_slice = isinstance(node.slice, ast.Tuple)
    parts = node.slice.elts if tuple_slice else [node.slice]
    for i, part in enumerate(parts):
        value = _number(part)
        if type(value) is int and value in (0, -1):
            new = copy.deepcopy(node)
            swapped = _literal(-1 if value == 0 else 0)
            if tuple_slice:
                new.slice.elts[i] = swapped
            else:
                new.slice = swapped
            yield new


def constant(site: Site) -> Iterator[ast.AST]:
    """An int ``c`` -> ``c + 1``, ``c - 1``; a float ``c`` -> ``2c``, ``c / 2`` (0.0 -> 1.0)."""
    value = _number(site.node)
    if value is None or (isinstance(site.parent, ast.UnaryOp) and _number(site.parent) is not None):
        return  # the operand of -1 is mutated as -1, by its parent
    if isinstance(value, int):
        yield from (_literal(value + 1), _literal(value - 1))
    elif value:
        yield from (_literal(value * 2), _literal(value / 2))
    else:
        yield _literal(1.0)


def slice_bound(site: Site) -> Iterator[ast.AST]:
    """A slice's bound ±1, or dropped."""
    node = site.node
    if not isinstance(node, ast.Slice):
        return
    for name in ("lower", "upper"):
        bound = getattr(node, name)
        if bound is None:
            continue
        for replacement in (_shifted(bound, 1), _shifted(bound, -1), None):
            new = copy.deepcopy(node)
            setattr(new, name, replacement)
            yield new


def reverse(site: Site) -> Iterator[ast.AST]:
    """``[::-1]`` removed, or added to a slice or to what a loop runs over."""
    node = site.node
    if isinstance(node, ast.Subscript) and _is_reversal(node.slice):
        yield copy.deepcopy(node.value)
    elif (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Slice)
        and isinstance(node.ctx, ast.Load)
    ):
        yield _reversed(node)
    elif site.field == "iter" and isinstance(site.parent, ast.For | ast.comprehension):
        yield _reversed(node)


def call_to_argument(site: Site) -> Iterator[ast.AST]:
    """``f(x, ...)`` -> ``x``; ``x.m()`` (no argument) -> ``x``."""
    node = site.node
    if not isinstance(node, ast.Call):
        return
    if node.args:
        if not isinstance(node.args[0], ast.Starred):
            yield copy.deepcopy(node.args[0])
    elif isinstance(node.func, ast.Attribute):
        receiver = node.func.value
        # lib.Graph() -> lib is no slip anyone makes: leave modules alone.
        if not (isinstance(receiver, ast.Name) and receiver.id in site.module_names):
            yield copy.deepcopy(receiver)


def swap_arguments(site: Site) -> Iterator[ast.AST]:
    """Two neighbouring positional arguments of a call swapped."""
    node = site.node
    if not isinstance(node, ast.Call):
        return
    for i in range(len(node.args) - 1):
        if isinstance(node.args[i], ast.Starred) or isinstance(node.args[i + 1], ast.Starred):
            continue
        new = copy.deepcopy(node)
        new.args[i], new.args[i + 1] = new.args[i + 1], new.args[i]
        yield new


def parameter_default(site: Site) -> Iterator[ast.AST]:
    """A use of a parameter replaced by the parameter's default."""
    node = site.node
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in site.defaults:
        yield copy.deepcopy(site.defaults[node.id])


def swap_function(site: Site) -> Iterator[ast.AST]:
    """A function swapped for a look-alike (``SWAPS``, ``CAST_SWAPS``): ``np.max`` -> ``np.min``."""
    node = site.node
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
        alternatives = SWAPS.get(node.attr, ())
        root = _root(node)
        if root in site.module_names:
            alternatives += CAST_SWAPS.get(node.attr, ())
        if root == "np" and isinstance(node.value, ast.Name):  # np.sigmoid: no such thing
            alternatives = tuple(a for a in alternatives if _in_numpy(a))
        for name in alternatives:
            new = copy.deepcopy(node)
            new.attr = name
            yield new
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        if isinstance(site.parent, ast.Call) and site.field == "func":
            for name in SWAPS.get(node.id, ()):
                yield ast.Name(name, ast.Load())


OPERATORS: tuple[Operator, ...] = (
    drop_statement,
    arithmetic,
    comparison,
    boolean,
    index_swap,  # before constant: x[-1] -> x[0] is named as the index swap it is
    constant,
    slice_bound,
    reverse,
    call_to_argument,
    swap_arguments,
    parameter_default,
    swap_function,
)


def _number(node: ast.AST) -> int | float | None:
    """The value of a numeric literal (``-1`` included), None for anything else."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _literal(value: int | float) -> ast.expr:
    # As the parser writes it (-1 is a minus and a 1), so spliced source parses back the same.
    if value < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


def _shifted(expr: ast.expr, delta: int) -> ast.expr:
    value = _number(expr)
    if value is not None:
        return _literal(value + delta)
    op = ast.Add() if delta > 0 else ast.Sub()
    return ast.BinOp(copy.deepcopy(expr), op, ast.Constant(abs(delta)))


def _is_reversal(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Slice)
        and node.lower is None
        and node.upper is None
        and node.step is not None
        and _number(node.step) == -1
    )


def _reversed(expr: ast.expr) -> ast.expr:
    return ast.Subscript(copy.deepcopy(expr), ast.Slice(None, None, _literal(-1)), ast.Load())


def _in_numpy(name: str) -> bool:
    import numpy

    return hasattr(numpy, name)


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


# -- generating mutants ---------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    id: str
    """A hash of question, function and the mutated function's code: stable across runs."""
    question: str
    module: str
    function: str
    operator: str
    description: str
    line: int
    function_source: str
    """The mutated function, as ``ast.unparse`` writes it."""
    source: str
    """The whole mutated module."""
    diff: str
    """A unified diff of the module: the reference's lines against the mutant's."""


def generate(
    questions: Iterable[Question] | None = None,
    reference: Path | None = None,
    *,
    assignment: Assignment | None = None,
) -> list[Mutant]:
    """Every mutant of the graded functions of ``questions``, in a fixed order.

    ``assignment`` defaults to ``manifest.current()``, ``questions`` to all of its, and
    ``reference`` to its reference folder.
    """
    assignment = assignment or manifest.current()
    questions = assignment.questions if questions is None else questions
    reference = assignment.reference if reference is None else reference
    mutants = []
    for q in questions:
        source = (reference / f"{q.module}.py").read_text()
        for function in q.functions:
            mutants += function_mutants(source, function, question=q.id, module=q.module)
    return mutants


def function_mutants(source: str, function: str, *, question: str, module: str) -> list[Mutant]:
    """The mutants of the top-level ``function`` of a module's ``source``, one change each."""
    tree = ast.parse(source)
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    lines = source.splitlines(keepends=True)
    first, last = _solution_lines(lines, func)
    defaults, names = _defaults(func.args), frozenset(_top_level_names(tree))
    sites = [
        Site(node, parent, name, index, defaults, names)
        for node, parent, name, index in _body_nodes(func)
        if first <= getattr(node, "lineno", first) <= last
    ]
    parents = {id(node): parent for node, parent, _, _ in _body_nodes(func)}
    seen = {ast.unparse(func)}
    mutants = []
    for site in sites:
        for operator in OPERATORS:
            for replacement in operator(site):
                # The change is made in place and undone: copying the function per mutant
                # would cost most of the time generation takes.
                context = _context(site, parents)
                _place(site, replacement)
                try:
                    text = ast.unparse(func)
                    compile(text, f"<mutant of {function}>", "exec")
                    after = _text(replacement if context is site.node else context)
                except (SyntaxError, ValueError, TypeError, AttributeError, RecursionError):
                    continue  # not a program: no mutant
                finally:
                    _place(site, site.node)
                if text not in seen:
                    seen.add(text)
                    new_source = _splice(lines, func, site.node, replacement, text)
                    before, after = _change(_text(context), after)
                    line = site.node.lineno
                    mutants.append(
                        Mutant(
                            id=_id(question, function, text),
                            question=question,
                            module=module,
                            function=function,
                            operator=operator.__name__,
                            description=f"{operator.__name__}: `{before}` -> `{after}` "
                            f"({module}.py:{line})",
                            line=line,
                            function_source=text,
                            source=new_source,
                            diff=_diff(lines, new_source, module),
                        )
                    )
    return mutants


def _context(site: Site, parents: dict[int, ast.AST]) -> ast.AST:
    """What a description shows of a change: a bare ``0`` or ``1:T`` says little, so for
    names, numbers and slices, the expression around them."""
    node = site.node
    if not (isinstance(node, ast.Name | ast.Constant | ast.Slice) or _number(node) is not None):
        return node
    parent = site.parent
    while isinstance(parent, ast.Tuple | ast.Slice | ast.UnaryOp | ast.keyword):
        parent = parents.get(id(parent))
    return parent if isinstance(parent, ast.expr) else node


def _id(question: str, function: str, mutated: str) -> str:
    """Stable while the mutated function's code is (comments and blank lines aside)."""
    return hashlib.sha1(f"{question}\n{function}\n{mutated}".encode()).hexdigest()[:10]


def _defaults(args: ast.arguments) -> dict[str, ast.expr]:
    positional = args.posonlyargs + args.args
    with_default = positional[len(positional) - len(args.defaults) :]
    found = dict(zip((a.arg for a in with_default), args.defaults, strict=True))
    keywords = zip(args.kwonlyargs, args.kw_defaults, strict=True)
    return found | {a.arg: d for a, d in keywords if d is not None}


def _diff(lines: list[str], new_source: str, module: str) -> str:
    new = new_source.splitlines(keepends=True)
    path = f"reference/{module}.py"
    return "".join(difflib.unified_diff(lines, new, f"a/{path}", f"b/{path}", n=2))


def _solution_lines(lines: list[str], func: ast.FunctionDef) -> tuple[int, int]:
    """The lines between BEGIN and END SOLUTION in ``func`` (all of its body if unmarked)."""
    body = range(func.lineno, func.end_lineno + 1)
    begin = [n for n in body if lines[n - 1].strip() == "# BEGIN SOLUTION"]
    end = [n for n in body if lines[n - 1].strip() == "# END SOLUTION"]
    return (begin[0], end[-1]) if begin and end else (func.lineno, func.end_lineno)


def _top_level_names(tree: ast.Module) -> Iterator[str]:
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                yield (alias.asname or alias.name).split(".")[0]
        elif isinstance(node, ast.Assign):
            yield from (t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            yield node.name


def _body_nodes(func: ast.FunctionDef) -> Iterator[tuple[ast.AST, ast.AST, str, int | None]]:
    """``(node, parent, field, index)`` of every node of the body but the docstring, in order."""
    body = func.body
    skip = (
        1
        if body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
        else 0
    )
    for i, statement in enumerate(body):
        if i >= skip:
            yield from _preorder(statement, func, "body", i)


def _preorder(
    node: ast.AST, parent: ast.AST, name: str, index: int | None
) -> Iterator[tuple[ast.AST, ast.AST, str, int | None]]:
    yield node, parent, name, index
    for child_field, value in ast.iter_fields(node):
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield from _preorder(item, node, child_field, i)
        elif isinstance(value, ast.AST):
            yield from _preorder(value, node, child_field, None)


def _place(site: Site, node: ast.AST) -> None:
    """Put ``node`` where ``site.node`` sits."""
    if site.index is None:
        setattr(site.parent, site.field, node)
    else:
        getattr(site.parent, site.field)[site.index] = node


def _splice(
    lines: list[str], func: ast.FunctionDef, node: ast.AST, replacement: ast.AST, mutated: str
) -> str:
    """The module with the mutation made in its own lines (so the diff is the real source's).

    A try must parse back to the mutated function (``mutated``, unparsed); if
    none does (precedence, a node without a place in the text), the function
    is replaced by ``mutated``, which loses its comments but is right.
    """
    text = ast.unparse(replacement)
    start = min([func.lineno] + [d.lineno for d in func.decorator_list]) - 1
    for attempt in (text, f"({text})"):
        candidate = _replace_segment(lines, node, attempt)
        end = func.end_lineno - (node.end_lineno - node.lineno) + attempt.count("\n")
        try:
            parsed = ast.parse("".join(candidate.splitlines(keepends=True)[start:end]))
        except SyntaxError:
            continue
        if len(parsed.body) == 1 and ast.unparse(parsed.body[0]) == mutated:
            return candidate
    return "".join(lines[:start]) + mutated + "\n" + "".join(lines[func.end_lineno :])


def _replace_segment(lines: list[str], node: ast.AST, text: str) -> str:
    # Column offsets count UTF-8 bytes.
    first, last = node.lineno - 1, node.end_lineno - 1
    head = lines[first].encode()[: node.col_offset].decode()
    tail = lines[last].encode()[node.end_col_offset :].decode()
    return "".join(lines[:first]) + head + text + tail + "".join(lines[last + 1 :])


def _text(node: ast.AST) -> str:
    """One line of code for ``node``: a compound statement is its first line and ``...``."""
    lines = ast.unparse(node).splitlines()
    return lines[0] + (" ..." if len(lines) > 1 else "")


def _change(before: str, after: str, limit: int = 60, context: int = 18) -> tuple[str, str]:
    """``before`` and ``after`` cut to where they differ, with some context, when long."""
    if max(len(before), len(after)) <= limit:
        return before, after
    prefix = len(os.path.commonprefix([before, after]))
    suffix = len(os.path.commonprefix([before[prefix:][::-1], after[prefix:][::-1]]))
    start = max(0, prefix - context)
    if start:  # from the start of a word
        start = before.rfind(" ", 0, start) + 1

    def cut(text: str) -> str:
        end = min(len(text), len(text) - suffix + context)
        return ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")

    return _clip(cut(before), limit), _clip(cut(after), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def sample(mutants: Sequence[Mutant], n: int | None, seed: int = 0) -> list[Mutant]:
    """``n`` of ``mutants`` in all, as evenly spread over their questions as they allow.

    The same ``seed`` picks the same ones; ``None`` (or ``n`` at least their
    number) keeps them all. The order stays generation order.
    """
    if n is None or n >= len(mutants):
        return list(mutants)
    by_question: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_question.setdefault(mutant.question, []).append(mutant)
    quota = dict.fromkeys(by_question, 0)
    left = max(n, 0)
    while left:  # one more for every question that has one left, round after round
        for q, members in by_question.items():
            if left and quota[q] < len(members):
                quota[q] += 1
                left -= 1
    rng = random.Random(seed)
    chosen = {m.id for q, members in by_question.items() for m in rng.sample(members, quota[q])}
    return [m for m in mutants if m.id in chosen]


# -- grading mutants --------------------------------------------------------------------------


@dataclass
class Graded:
    """What grading one mutant gave (plain data: it comes back from a worker process)."""

    scores: dict[str, float] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    """``question: test title`` of every test that failed."""
    timeout: bool = False
    grader_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Result:
    mutant: Mutant
    graded: Graded
    status: str
    reason: str | None = None
    """Why the mutant is equivalent (from the equivalent-mutants file)."""


def load_equivalent(
    path: Path | None = None, *, assignment: Assignment | None = None
) -> dict[str, str]:
    """``{mutant id: reason}`` of the mutants known to change nothing.

    ``path`` defaults to the assignment's ``equivalent_mutants`` file (none: no mutant).
    """
    if path is None:
        path = (assignment or manifest.current()).equivalent_mutants
    if path is None or not path.exists():
        return {}
    entries = tomllib.loads(path.read_text()).get("mutant", [])
    return {str(e["id"]): str(e.get("reason", "")) for e in entries}


def classify(mutant: Mutant, graded: Graded, equivalent: dict[str, str]) -> Result:
    """The mutant's status: a fault first (no verdict to trust), then where it lost points."""
    if graded.grader_errors:
        return Result(mutant, graded, "grader-fault")
    lost = {q for q, score in graded.scores.items() if score < graded.max_scores[q]}
    if mutant.question in lost:
        return Result(mutant, graded, "killed")
    if lost:
        return Result(mutant, graded, "leak")
    if mutant.id in equivalent:
        return Result(mutant, graded, "equivalent", equivalent[mutant.id])
    return Result(mutant, graded, "survived")


def mutant_seconds(assignment: Assignment) -> dict[str, float]:
    """A question's budget for a mutant, per profile: the manifest's ``mutant_seconds``.

    Enough for the reference beside another grading; an endless loop costs no more."""
    return {name: p.mutant_seconds for name, p in assignment.profiles.items()}


@cache
def _load(path: Path) -> Assignment:
    """The assignment of a worker process, loaded once."""
    return manifest.load(path)


def grade_mutant(
    mutant: Mutant,
    seconds: dict[str, float] | None = None,
    assignment: Assignment | Path | None = None,
) -> Graded:
    """Grade the reference with ``mutant``'s module in place, on that module's questions.

    ``mutant`` is anything with a ``module`` and that module's ``source`` (an equivalent
    variant too). ``assignment`` (or its manifest's path: a worker process loads it once)
    defaults to ``manifest.current()``.
    """
    from autograder.grade import grade

    started = time.monotonic()
    try:
        if isinstance(assignment, Path):
            assignment = _load(assignment)
        assignment = assignment or manifest.current()
        questions = [q for q in assignment.questions if q.module == mutant.module]
        with tempfile.TemporaryDirectory(prefix="rnnlab-mutant-") as scratch:
            folder = Path(scratch) / "submission"
            folder.mkdir()
            for module in assignment.modules:
                shutil.copy(assignment.reference / f"{module}.py", folder / f"{module}.py")
            (folder / f"{mutant.module}.py").write_text(mutant.source)
            budget = mutant_seconds(assignment) | (seconds or {})
            report = grade(folder, assignment=assignment, questions=questions, seconds=budget)
    except Exception:  # noqa: BLE001 - grade() itself broke: the grader's fault, on record
        return Graded(grader_errors=[traceback.format_exc()], seconds=time.monotonic() - started)
    graded = Graded(seconds=time.monotonic() - started)
    for q, outcomes in report.by_question().items():
        graded.scores[q] = sum(o.score for o in outcomes)
        graded.max_scores[q] = sum(o.test.points for o in outcomes)
    for outcome in report.outcomes:
        if not outcome.passed:
            graded.failed.append(outcome.name)
            graded.timeout |= any(w in outcome.output for w in TIMEOUT_WORDS)
        if outcome.grader_error is not None:
            graded.grader_errors.append(f"{outcome.name}\n{outcome.grader_error}")
    return graded


def run(
    mutants: Sequence[Mutant],
    *,
    workers: int | None = None,
    seconds: dict[str, float] | None = None,
    equivalent: dict[str, str] | None = None,
    on_result: Callable[[Result], None] | None = None,
    assignment: Assignment | None = None,
) -> list[Result]:
    """Grade ``mutants``, ``workers`` at once (default ``default_workers()``), in processes.

    The results come in the order of ``mutants``. ``assignment`` defaults to
    ``manifest.current()``; ``equivalent`` to its file's.
    """
    assignment = assignment or manifest.current()
    known = load_equivalent(assignment=assignment) if equivalent is None else equivalent
    results: dict[str, Result] = {}

    def classified(mutant: Mutant, graded: Graded) -> None:
        results[mutant.id] = classify(mutant, graded, known)
        if on_result is not None:
            on_result(results[mutant.id])

    grade_each(
        mutants, workers=workers, seconds=seconds, assignment=assignment, on_graded=classified
    )
    return [results[m.id] for m in mutants]


def grade_each(
    changed: Sequence[Any],
    *,
    workers: int | None = None,
    seconds: dict[str, float] | None = None,
    assignment: Assignment | None = None,
    on_graded: Callable[[Any, Graded], None] | None = None,
) -> dict[str, Graded]:
    """``{id: Graded}`` of each changed module (a mutant, a variant: ``id``, ``question``,
    ``module``, ``source``), graded by ``grade_mutant``, ``workers`` at once, in processes.

    A grader process that dies sends its modules to a fresh pool once; a second death
    is a grader fault. ``on_graded(item, graded)`` is called as each one is done.
    """
    assignment = assignment or manifest.current()

    def budget(item: Any) -> float:
        return assignment.profile(assignment.question(item.question)).mutant_seconds

    # The slowest profile's first: started last, they would leave a long tail.
    todo = sorted(changed, key=budget, reverse=True)
    graded: dict[str, Graded] = {}
    for attempt in (1, 2):
        lost = []
        pool = ProcessPoolExecutor(
            workers or default_workers(),
            mp_context=get_context("spawn"),
            initializer=_die_with_the_run,
        )
        try:
            futures = {pool.submit(grade_mutant, m, seconds, assignment.path): m for m in todo}
            for future in as_completed(futures):
                item = futures[future]
                try:
                    graded[item.id] = future.result()
                except BrokenProcessPool:
                    if attempt == 1:
                        lost.append(item)
                        continue
                    graded[item.id] = Graded(grader_errors=["the grader process died (twice)"])
                if on_graded is not None:
                    on_graded(item, graded[item.id])
        except BaseException:  # Ctrl-C: no waiting for the queue; the graders die with us
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        todo = lost
        if not todo:
            break
    return graded


def _die_with_the_run() -> None:
    """A grader process ends when the run does (and its sandboxes follow it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def default_workers() -> int:
    """``WORKERS``, or fewer on fewer cores."""
    return min(WORKERS, os.cpu_count() or 1)


# -- reporting ------------------------------------------------------------------------------


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
