"""Mutation operators: each turns one site of a graded function's AST into its slips."""

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass


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
        if constant_value(node) is None:  # -2.0 is a constant's business
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
        value = constant_value(part)
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
    value = constant_value(site.node)
    if value is None or (
        isinstance(site.parent, ast.UnaryOp) and constant_value(site.parent) is not None
    ):
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


def constant_value(node: ast.AST) -> int | float | None:
    """The value of a numeric literal (``-1`` included), None for anything else."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = constant_value(node.operand)
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
    value = constant_value(expr)
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
        and constant_value(node.step) == -1
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
