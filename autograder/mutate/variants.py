"""Equivalent variants of the reference: correct code in other styles must keep every point.

The mirror of ``mutate``: a mutant changes what the reference computes and must
lose points; a variant changes only how it is written and must lose none. Any
point a variant loses is a fairness fault of the tests (``unfair``), and
``rnnlab variants`` exits 1.

A variant is the reference's module with one or more rewrites applied to one
graded function. The engine's rewrites hold for any Python function:

- ``rename_locals``: every local variable renamed;
- ``extract_helper``: an assigned expression moved into a module-level helper;
- ``reorder``: two neighbouring statements that share no name swapped (guards
  that only raise swap with each other);
- ``dict_subclass``: a returned dict built as an ``OrderedDict`` or a subclass;
- ``wrap_in_class``: the body moved into a method of a class made on each call;
- ``extra_entries``: entries of odd kinds (an object, a function, ``None``, a
  nested dict) added to a returned dict, only for the functions the assignment
  lists as returning "at least" their keys.

The assignment declares its own rewrites beside its hidden tests (the
manifest's ``equivalent_variants``, a TOML file): each ``[[rewrite]]`` names a
``function``, the exact ``find`` text of the reference and its ``replace``ment,
and why the two are equivalent (``reason``). Every declared rewrite must apply
(``load_rewrites`` says which does not), so the file cannot go stale quietly.

``generate`` makes each rewrite alone, then seeded combinations (one or two
declared ones, then one to three generic ones) up to ``per_question`` variants
of each question, shared among its functions: the same variants on every run.
"""

import ast
import difflib
import hashlib
import random
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograder import mutate
from autograder.formats import manifest
from autograder.formats.manifest import Assignment
from autograder.model.rubric import Question
from autograder.mutate.rewrites import GENERIC, Declared, Generic, Rewrite, docstring_lines


class VariantError(ValueError):
    """The assignment's equivalent-variants file is malformed or does not match the reference."""


@dataclass(frozen=True)
class Variant:
    id: str
    """A hash of the question, the function and the module's source: stable across runs."""
    question: str
    module: str
    function: str
    rewrites: tuple[str, ...]
    """What was done, in order: the rewrites' names."""
    source: str
    """The whole rewritten module."""
    diff: str

    @property
    def description(self) -> str:
        return " + ".join(self.rewrites)


# -- the assignment's rewrites ---------------------------------------------------------------


def load_rewrites(assignment: Assignment | None = None) -> Declared:
    """The assignment's declared rewrites (none without an ``equivalent_variants`` file).

    Raises ``VariantError`` naming the entry whose ``find`` text is not in its function.
    """
    assignment = assignment or manifest.current()
    path = assignment.equivalent_variants
    if path is None:
        return Declared()
    data = tomllib.loads(path.read_text())
    functions = {f: q for q in assignment.questions for f in q.functions}
    rewrites = []
    for i, entry in enumerate(data.get("rewrite", [])):
        where = f"{path.name}: rewrite {i + 1}"
        missing = {"function", "name", "find", "replace", "reason"} - set(entry)
        if missing:
            raise VariantError(f"{where} lacks {sorted(missing)}")
        if entry["function"] not in functions:
            raise VariantError(f"{where}: {entry['function']!r} is no graded function")
        find, replace = _texts(entry["find"]), _texts(entry["replace"])
        if find is None or replace is None or len(find) != len(replace):
            raise VariantError(f"{where}: find and replace must be strings, or lists of as many")
        rewrite = Rewrite(
            str(entry["function"]), str(entry["name"]), find, replace, str(entry["reason"])
        )
        module = functions[rewrite.function].module
        text = _function_text((assignment.reference / f"{module}.py").read_text(), rewrite.function)
        for part in find:
            if text.count(part) != 1:
                raise VariantError(
                    f"{where} ({rewrite.name}): the find text {part.strip()[:40]!r} occurs "
                    f"{text.count(part)} times in {rewrite.function}, not once"
                )
        rewrites.append(rewrite)
    extra = data.get("extra_entries", [])
    unknown = sorted(set(extra) - set(functions))
    if unknown:
        raise VariantError(f"{path.name}: extra_entries names no graded function: {unknown}")
    return Declared(tuple(rewrites), frozenset(extra))


def _texts(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _function_node(tree: ast.Module, name: str) -> ast.FunctionDef:
    return next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)


def _function_text(source: str, name: str) -> str:
    """The function's code after its docstring (a rewrite never touches the contract)."""
    node = _function_node(ast.parse(source), name)
    first = node.body[docstring_lines(node.body)]
    return "".join(source.splitlines(keepends=True)[first.lineno - 1 : node.end_lineno])


def _apply_declared(source: str, rewrite: Rewrite) -> str | None:
    """``source`` rewritten, or None where another rewrite already changed the text."""
    text = _function_text(source, rewrite.function)
    if not all(part in text for part in rewrite.find):
        return None
    new = text
    for find, replace in zip(rewrite.find, rewrite.replace, strict=True):
        new = new.replace(find, replace, 1)
    return source.replace(text, new, 1)


def apply_generic(source: str, function: str, rewrite: Generic, rng, declared) -> tuple:
    """``(new source, name)``, or ``(source, None)`` where the rewrite does not apply."""
    tree = ast.parse(source)
    names = list(rewrite(tree, _function_node(tree, function), rng, declared))
    if not names:
        return source, None
    return ast.unparse(tree) + "\n", names[0]


# -- generating --------------------------------------------------------------------------------


def generate(
    questions: Sequence[Question] | None = None,
    *,
    per_question: int = 50,
    seed: int = 0,
    assignment: Assignment | None = None,
) -> list[Variant]:
    """Variants of every graded function of ``questions`` (default: all), in a fixed order:
    each rewrite alone, then combinations, up to ``per_question`` distinct ones a question
    (its functions share them)."""
    assignment = assignment or manifest.current()
    declared = load_rewrites(assignment)
    questions = assignment.questions if questions is None else questions
    found = []
    for q in questions:
        source = (assignment.reference / f"{q.module}.py").read_text()
        share = -(-per_question // len(q.functions))
        for function in q.functions:
            found += _function_variants(q, function, source, declared, share, seed)
    return found


def _function_variants(q, function, source, declared, limit, seed) -> list[Variant]:
    rng = random.Random(f"{seed}/{q.id}/{function}")
    own = [r for r in declared.rewrites if r.function == function]
    seen = {ast.unparse(ast.parse(source))}
    variants = []

    def add(text: str, names: list[str]) -> None:
        try:
            compile(text, f"<variant of {function}>", "exec")
            key = ast.unparse(ast.parse(text))
        except SyntaxError:
            return
        if key not in seen and len(variants) < limit:
            seen.add(key)
            variants.append(_variant(q, function, source, text, tuple(names)))

    for rewrite in own:
        add(_apply_declared(source, rewrite), [rewrite.name])
    for generic in GENERIC:
        text, name = apply_generic(source, function, generic, rng, declared)
        if name:
            add(text, [name])
    for _ in range(20 * limit):  # combinations, until enough distinct ones
        if len(variants) >= limit:
            break
        text, names = source, []
        if own and rng.random() < 0.7:
            for rewrite in rng.sample(own, rng.randint(1, min(2, len(own)))):
                rewritten = _apply_declared(text, rewrite)
                if rewritten is not None:
                    text, names = rewritten, names + [rewrite.name]
        for generic in rng.sample(GENERIC, rng.randint(1, 3)):
            text, name = apply_generic(text, function, generic, rng, declared)
            names += [name] if name else []
        if names:
            add(text, names)
    return variants


def _variant(q: Question, function: str, reference: str, text: str, names: tuple) -> Variant:
    path = f"reference/{q.module}.py"
    diff = "".join(
        difflib.unified_diff(
            reference.splitlines(keepends=True),
            text.splitlines(keepends=True),
            f"a/{path}",
            f"b/{path}",
            n=1,
        )
    )
    digest = hashlib.sha1(f"{q.id}\n{function}\n{text}".encode()).hexdigest()[:10]
    return Variant(digest, q.id, q.module, function, names, text, diff)


def sample(variants: Sequence[Variant], n: int | None, seed: int = 0) -> list[Variant]:
    """``n`` variants spread evenly over their questions (``mutate.sample``'s rule)."""
    return mutate.sample(variants, n, seed)


# -- grading -----------------------------------------------------------------------------------


@dataclass
class Result:
    variant: Variant
    graded: mutate.Graded
    status: str
    """``kept`` (full marks), ``unfair`` (a point lost) or ``grader-fault``."""


def judge(variant: Variant, graded: mutate.Graded) -> Result:
    if graded.grader_errors:
        return Result(variant, graded, "grader-fault")
    lost = any(score < graded.max_scores[q] for q, score in graded.scores.items())
    return Result(variant, graded, "unfair" if lost else "kept")


def run(
    variants: Sequence[Variant],
    *,
    workers: int | None = None,
    on_result: Callable[[Result], None] | None = None,
    assignment: Assignment | None = None,
) -> list[Result]:
    """Grade ``variants`` as ``mutate.run`` grades mutants (the questions' full budgets: a
    correct variant is never short of time), in the order given."""
    assignment = assignment or manifest.current()
    seconds = {name: p.seconds for name, p in assignment.profiles.items()}
    results: dict[str, Result] = {}

    def judged(variant: Variant, graded: mutate.Graded) -> None:
        results[variant.id] = judge(variant, graded)
        if on_result is not None:
            on_result(results[variant.id])

    mutate.grade_each(
        variants, workers=workers, seconds=seconds, assignment=assignment, on_graded=judged
    )
    return [results[v.id] for v in variants]


def table(results: Sequence[Result]) -> dict[str, dict[str, int]]:
    """Per question (first seen first): graded, kept and unfair variants, grader faults."""
    rows: dict[str, dict[str, int]] = {}
    for r in results:
        row = rows.setdefault(
            r.variant.question, {"graded": 0, "kept": 0, "unfair": 0, "grader-fault": 0}
        )
        row["graded"] += 1
        row[r.status] += 1
    return rows


def print_report(results: Sequence[Result], console: Any, seconds: float) -> None:
    """The per-question table, then every unfair variant and grader fault with its diff."""
    from rich import box
    from rich.table import Table

    out = Table(title="equivalent variants of the reference, graded", box=box.SIMPLE_HEAD)
    out.add_column("question", no_wrap=True)
    for column in ("graded", "kept", "unfair", "grader faults"):
        out.add_column(column, justify="right")
    rows = table(results)
    for q, row in rows.items():
        out.add_row(q, *(str(row[k]) for k in ("graded", "kept", "unfair", "grader-fault")))
    out.add_section()
    totals = [sum(row[k] for row in rows.values()) for k in ("graded", "kept", "unfair")]
    faults = sum(row["grader-fault"] for row in rows.values())
    out.add_row("all", *map(str, totals), str(faults))
    console.print(out)
    console.print(f"{len(results)} variants graded in {seconds:.0f} s")
    for status, title in (("grader-fault", "grader faults"), ("unfair", "unfair: points lost")):
        chosen = [r for r in results if r.status == status]
        mutate.print_listed(
            console,
            title,
            [(r.variant.id, _headline(r.variant), r.graded, r.variant.diff) for r in chosen],
        )


def _headline(variant: Variant) -> str:
    return f"{variant.question}/{variant.function}: {variant.description}"


def as_json(results: Sequence[Result], **run_info: Any) -> dict[str, Any]:
    return {
        **run_info,
        "questions": table(results),
        "variants": [
            {
                "id": r.variant.id,
                "question": r.variant.question,
                "function": r.variant.function,
                "rewrites": list(r.variant.rewrites),
                "status": r.status,
                "scores": r.graded.scores,
                "max_scores": r.graded.max_scores,
                "failed": r.graded.failed,
                "grader_errors": r.graded.grader_errors,
                "diff": r.variant.diff,
            }
            for r in results
        ],
    }
