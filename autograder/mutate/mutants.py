"""Mutants of the reference: generated from the operators, deterministically, and sampled."""

import ast
import difflib
import hashlib
import os
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.formats import manifest
from autograder.formats.manifest import Assignment
from autograder.model.rubric import Question
from autograder.mutate.operators import OPERATORS, Site, constant_value


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
    if not (
        isinstance(node, ast.Name | ast.Constant | ast.Slice) or constant_value(node) is not None
    ):
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
