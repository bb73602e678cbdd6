"""The engine's rewrites of one graded function's AST, which keep what it computes: they hold
for any Python function (``variants`` lists them)."""

import ast
import copy
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass


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


def docstring_lines(body: list[ast.stmt]) -> int:
    """1 if ``body`` starts with a docstring (and has code after it), else 0."""
    return int(
        len(body) > 1
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )


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
    other reads or writes, and neither leaves the block (guards that only raise the same
    exception type may swap: an input both refuse must still raise that type)."""
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
    yield body, docstring_lines(body) if top else 0
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


def _guard(node: ast.AST) -> str | None:
    """For ``if <test>: raise E(...)`` with nothing else, the source of ``E``; else None."""
    if not (
        isinstance(node, ast.If)
        and not node.orelse
        and len(node.body) == 1
        and isinstance(node.body[0], ast.Raise)
        and node.body[0].exc is not None
    ):
        return None
    exc = node.body[0].exc
    return ast.unparse(exc.func if isinstance(exc, ast.Call) else exc)


def _independent(a: ast.stmt, b: ast.stmt) -> bool:
    if _guard(a) is not None and _guard(a) == _guard(b):
        pass  # both only check and raise the same type: either order raises it
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
    docstring = body[: docstring_lines(body)]
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
