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
import copy
import difflib
import hashlib
import random
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from autograder import manifest, mutate
from autograder.manifest import Assignment
from autograder.rubric import Question


class VariantError(ValueError):
    """The assignment's equivalent-variants file is malformed or does not match the reference."""


@dataclass(frozen=True)
class Rewrite:
    """A rewrite the assignment declares equivalent: ``find`` -> ``replace`` in ``function``."""

    function: str
    name: str
    find: tuple[str, ...]
    replace: tuple[str, ...]
    """Each ``find[i]`` becomes ``replace[i]`` (a string in the file is a list of one)."""
    reason: str


@dataclass(frozen=True)
class Declared:
    rewrites: tuple[Rewrite, ...] = ()
    extra_entries: frozenset[str] = frozenset()
    """Functions whose returned dict has "at least" its keys: extra entries are allowed."""


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


# -- the engine's rewrites, on one function's AST ------------------------------------------

Generic = Callable[[ast.Module, ast.FunctionDef, random.Random, Declared], Iterator[str]]
"""Rewrites ``function`` (a node of ``module``) in place, in every way it can; yields one
name per way, after which the module is the variant (the caller copies it first)."""


def _bound_names(function: ast.FunctionDef) -> set[str]:
    """Names the function's own body binds, its parameters excluded."""
    params = {a.arg for a in _all_args(function.args)}
    bound: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef) and node is not function:
            bound.add(node.name)
        elif isinstance(node, ast.arg) and node not in _all_args(function.args):
            bound.add(node.arg)  # a nested function's or lambda's parameter
        elif isinstance(node, ast.Global | ast.Nonlocal):
            return set()  # names shared with another scope: leave this function alone
    attributes = {  # a class body binds attributes, read as obj.name: they keep their names
        name
        for node in ast.walk(function)
        if isinstance(node, ast.ClassDef)
        for statement in node.body
        for name in _defined(statement)
    }
    return bound - params - attributes


def _defined(statement: ast.stmt) -> list[str]:
    """The names a statement of a class body defines."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    targets = getattr(statement, "targets", []) + [getattr(statement, "target", None)]
    return [n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)]


def _all_args(args: ast.arguments) -> list[ast.arg]:
    found = args.posonlyargs + args.args + args.kwonlyargs
    return found + [a for a in (args.vararg, args.kwarg) if a is not None]


def rename_locals(
    module: ast.Module, function: ast.FunctionDef, rng: random.Random, declared: Declared
) -> Iterator[str]:
    """Every local variable gets a new name (parameters and keywords of calls keep theirs)."""
    names = _bound_names(function)
    if not names:
        return
    taken = {n.id for n in ast.walk(module) if isinstance(n, ast.Name)}
    fresh = {}
    for name in sorted(names):
        new = f"{rng.choice(('my', 'the', 'tmp', 'val'))}_{name}_{rng.randrange(100)}"
        while new in taken:
            new += "_"
        fresh[name] = new
        taken.add(new)
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id in fresh:
            node.id = fresh[node.id]
        elif isinstance(node, ast.arg) and node.arg in fresh:
            node.arg = fresh[node.arg]
        elif isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in fresh:
            node.name = fresh[node.name]
    yield "rename_locals"


def extract_helper(
    module: ast.Module, function: ast.FunctionDef, rng: random.Random, declared: Declared
) -> Iterator[str]:
    """``name = <expression>`` becomes ``name = _helper(<the locals it reads>)`` with a
    module-level ``def _helper(...): return <expression>``."""
    sites = [
        node
        for node in _own_statements(function)
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and not any(isinstance(n, ast.Yield | ast.YieldFrom | ast.Await) for n in ast.walk(node))
    ]
    if not sites:
        return
    site = rng.choice(sites)
    local = _bound_names(function) | {a.arg for a in _all_args(function.args)}
    inside = list(ast.walk(site.value))
    own = {n.arg for n in inside if isinstance(n, ast.arg)} | {
        n.id for n in inside if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }  # bound by the expression itself: a comprehension's or a lambda's own names
    reads = sorted({n.id for n in inside if isinstance(n, ast.Name) and n.id in local} - own)
    taken = {n.name for n in module.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    helper = f"_{function.name}_helper_{rng.randrange(1000)}"
    while helper in taken:
        helper += "_"
    definition = ast.parse(f"def {helper}({', '.join(reads)}):\n    return None").body[0]
    definition.body[0].value = copy.deepcopy(site.value)
    site.value = ast.parse(f"{helper}({', '.join(reads)})", mode="eval").body
    module.body.insert(module.body.index(function), definition)
    yield "extract_helper"


def _own_statements(function: ast.FunctionDef) -> Iterator[ast.stmt]:
    """Statements of the function's body at any depth, outside nested functions and classes."""
    stack = list(function.body)
    while stack:
        node = stack.pop(0)
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in ("body", "orelse", "finalbody"):
            stack.extend(getattr(node, name, []))
        for handler in getattr(node, "handlers", []):
            stack.extend(handler.body)


def reorder(
    module: ast.Module, function: ast.FunctionDef, rng: random.Random, declared: Declared
) -> Iterator[str]:
    """Two neighbouring statements of one block swapped, when neither touches a name the
    other reads or writes, and neither leaves the block (guards that only raise may swap)."""
    pairs = []
    for block, first in _blocks(function.body):
        for i in range(first, len(block) - 1):
            if _independent(block[i], block[i + 1]):
                pairs.append((block, i))
    if not pairs:
        return
    block, i = rng.choice(pairs)
    block[i], block[i + 1] = block[i + 1], block[i]
    yield "reorder"


def _blocks(body: list, top: bool = True) -> Iterator[tuple[list, int]]:
    """``(block, first)``: every block of statements, from the index where a swap may start
    (after the function's docstring)."""
    yield body, _docstring(body) if top else 0
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(node, name, None)
            if inner:
                yield from _blocks(inner, top=False)


def _names(node: ast.AST) -> tuple[set[str], set[str]]:
    """``(read, written)`` names; a method call or subscript store writes its receiver."""
    read, written = set(), set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            (written if isinstance(n.ctx, ast.Store | ast.Del) else read).add(n.id)
        elif isinstance(n, ast.Subscript | ast.Attribute) and isinstance(n.ctx, ast.Store):
            written |= {m.id for m in ast.walk(n.value) if isinstance(m, ast.Name)}
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            written |= {m.id for m in ast.walk(n.func.value) if isinstance(m, ast.Name)}
    return read, written


def _exits(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Return | ast.Break | ast.Continue | ast.Yield | ast.Raise)
        for n in ast.walk(node)
    )


def _guard(node: ast.AST) -> bool:
    """``if <test>: raise ...`` with nothing else."""
    return (
        isinstance(node, ast.If)
        and not node.orelse
        and len(node.body) == 1
        and isinstance(node.body[0], ast.Raise)
    )


def _independent(a: ast.stmt, b: ast.stmt) -> bool:
    if _guard(a) and _guard(b):
        pass  # both only check and raise: either order raises for a bad input
    elif _exits(a) or _exits(b) or isinstance(a, ast.Expr) or isinstance(b, ast.Expr):
        return False
    read_a, wrote_a = _names(a)
    read_b, wrote_b = _names(b)
    return not (wrote_a & (read_b | wrote_b) or wrote_b & read_a)


DICT_SUBCLASS = "class _ReturnedDict(dict):\n    'A dict subclass, as a student may return.'\n"


def dict_subclass(
    module: ast.Module, function: ast.FunctionDef, rng: random.Random, declared: Declared
) -> Iterator[str]:
    """``return {...}`` (a display or comprehension) becomes ``return OrderedDict({...})`` or
    ``return _ReturnedDict({...})``, a subclass of dict."""
    returns = [
        n
        for n in _own_statements(function)
        if isinstance(n, ast.Return) and isinstance(n.value, ast.Dict | ast.DictComp)
    ]
    if not returns:
        return
    kind = rng.choice(("OrderedDict", "_ReturnedDict"))
    if kind == "OrderedDict":
        module.body.insert(0, ast.parse("from collections import OrderedDict").body[0])
    else:
        module.body.insert(module.body.index(function), ast.parse(DICT_SUBCLASS).body[0])
    for node in returns:
        node.value = ast.Call(ast.Name(kind, ast.Load()), [node.value], [])
    yield f"dict_subclass ({kind})"


EXTRAS = (
    '"extra_object": object()',
    '"extra_function": len',
    '"extra_none": None',
    '"extra_nested": {"a": [1, (2, None)], "b": {"c": object}}',
    '"extra_lambda": lambda *args: args',
)


def extra_entries(
    module: ast.Module, function: ast.FunctionDef, rng: random.Random, declared: Declared
) -> Iterator[str]:
    """Returned dict displays get entries of odd kinds, where the contract allows them."""
    if function.name not in declared.extra_entries:
        return
    returns = [
        n
        for n in _own_statements(function)
        if isinstance(n, ast.Return) and isinstance(n.value, ast.Dict)
    ]
    if not returns:
        return
    chosen = rng.sample(EXTRAS, rng.randint(2, len(EXTRAS)))
    extra = ast.parse("{" + ", ".join(chosen) + "}", mode="eval").body
    for node in returns:
        node.value.keys += copy.deepcopy(extra.keys)
        node.value.values += copy.deepcopy(extra.values)
    yield "extra_entries"


def wrap_in_class(
    module: ast.Module, function: ast.FunctionDef, rng: random.Random, declared: Declared
) -> Iterator[str]:
    """The body becomes a method of a class made on each call, which the function calls."""
    args = function.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        return
    names = [a.arg for a in args.args]
    body = function.body
    docstring = body[: _docstring(body)]
    shell = ast.parse(
        "class _Solution:\n"
        f"    def solve(self, {', '.join(names)}):\n"
        "        pass\n"
        f"return _Solution().solve({', '.join(names)})"
    )
    shell.body[0].body[0].body = body[len(docstring) :] or [ast.Pass()]
    function.body = docstring + shell.body
    yield "wrap_in_class"


GENERIC: tuple[Generic, ...] = (
    rename_locals,
    extract_helper,
    reorder,
    dict_subclass,
    extra_entries,
    wrap_in_class,
)


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


def _docstring(body: list[ast.stmt]) -> int:
    """1 if ``body`` starts with a docstring (and has code after it), else 0."""
    return int(
        len(body) > 1
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )


def _function_text(source: str, name: str) -> str:
    """The function's code after its docstring (a rewrite never touches the contract)."""
    node = _function_node(ast.parse(source), name)
    first = node.body[_docstring(node.body)]
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


def _apply_generic(source: str, function: str, rewrite: Generic, rng, declared) -> tuple:
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
        text, name = _apply_generic(source, function, generic, rng, declared)
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
            text, name = _apply_generic(text, function, generic, rng, declared)
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
