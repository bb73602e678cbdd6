"""The shape of an answer: ``expect_structure`` checks it before a test indexes or unpacks it,
so a wrong answer of any kind (``None``, a scalar, a ragged list) gets a verdict that names
what came back, never a crash of the test (a grader error)."""

from typing import Any

import numpy as np

from autograder.authoring.compare import show, summary
from autograder.authoring.verdicts import CheckFailure


class Array:
    """What ``expect_structure`` expects of an array: its ``shape`` (``None`` for a size
    that may be any; no shape: any), the kind of its entries (``"number"``, ``"int"``,
    ``"float"``, ``"bool"`` or ``"any"``), and whether it must be a numpy array
    (``strict``) or may be a list that makes one (returned as an array)."""

    KINDS = {
        "number": ("biuf", "numbers"),
        "int": ("iu", "integers"),
        "float": ("f", "floats"),
        "bool": ("b", "booleans"),
        "any": (None, ""),
    }

    def __init__(
        self,
        shape: tuple[int | None, ...] | None = None,
        kind: str = "number",
        *,
        strict: bool = False,
    ) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"Array kind {kind!r}: one of {', '.join(self.KINDS)}")
        self.shape, self.kind, self.strict = shape, kind, strict

    def shape_text(self) -> str:
        sizes = ["*" if n is None else str(n) for n in self.shape or ()]
        return f"({sizes[0]},)" if len(sizes) == 1 else f"({', '.join(sizes)})"

    def __repr__(self) -> str:
        words = ["a numpy array" if self.strict else "an array"]
        if self.shape is not None and all(n is None for n in self.shape):  # "a 1-D array"
            words = [f"a {len(self.shape)}-D " + words[0].split(" ", 1)[1]]
        elif self.shape is not None:
            words.append(f"of shape {self.shape_text()}")
        if self.kind not in ("any", "number"):  # numbers go without saying
            words.append(f"of {self.KINDS[self.kind][1]}")
        return " ".join(words)


class ListOf:
    """What ``expect_structure`` expects of a list (or tuple) of any length (or ``length``)
    whose items are each ``item`` (a spec)."""

    def __init__(self, item: Any = object, length: int | None = None) -> None:
        self.item, self.length = item, length

    def __repr__(self) -> str:
        size = f"{self.length} " if self.length is not None else ""
        each = "" if self.item is object else f", each {describe_spec(self.item)}"
        return f"a list of {size}items{each}"


_TYPE_WORDS = {
    int: "an int",
    float: "a number",
    str: "a str",
    bool: "a bool",
    dict: "a dict",
    list: "a list",
    object: "anything",
}


def describe_spec(spec: Any) -> str:
    """``expect_structure``'s ``spec`` in words, for feedback."""
    if isinstance(spec, tuple):
        first = spec[0] if spec else None
        if isinstance(first, Array) and all(
            isinstance(s, Array)
            and (s.kind, s.strict) == (first.kind, first.strict)
            and s.shape is not None
            for s in spec
        ):  # "a tuple of 2 arrays of shapes (3,), (3, 4)"
            plural = describe_spec(Array(None, first.kind, strict=first.strict)).split(" ", 1)[1]
            shapes = ", ".join(s.shape_text() for s in spec)
            return (
                f"a tuple of {len(spec)} {plural.replace('array', 'arrays', 1)} of shapes {shapes}"
            )
        return f"a tuple of {len(spec)} ({', '.join(describe_spec(s) for s in spec)})"
    if isinstance(spec, dict):
        return "a dict with " + ", ".join(f"{k!r}: {describe_spec(s)}" for k, s in spec.items())
    if isinstance(spec, type):
        return _TYPE_WORDS.get(spec, f"a {spec.__name__}")
    return repr(spec)


class _Mismatch(Exception):
    def __init__(self, path: str, value: Any, spec: Any, detail: str = "") -> None:
        self.path, self.value, self.spec, self.detail = path, value, spec, detail


def _fits_type(value: Any, spec: type) -> bool:
    if spec is object:
        return True
    if spec is int:
        return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
    if spec is float:  # a real number: an int will do
        return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool | np.bool_
        )
    if spec is list:
        return isinstance(value, list | tuple)
    return isinstance(value, spec)


def _array(value: Any, spec: Array, path: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        if spec.strict or not isinstance(value, list | tuple):
            raise _Mismatch(path, value, spec)
        try:
            value = np.asarray(value)
        except (ValueError, TypeError, OverflowError):  # ragged lists
            raise _Mismatch(path, value, spec, "that makes no array") from None
    kinds = Array.KINDS[spec.kind][0]
    if kinds is not None and value.dtype.kind not in kinds:
        raise _Mismatch(path, value, spec)  # its summary gives its dtype
    if spec.shape is not None and (
        value.ndim != len(spec.shape)
        or any(n is not None and n != m for n, m in zip(spec.shape, value.shape, strict=True))
    ):
        raise _Mismatch(path, value, spec)  # and its shape
    return value


def _fit(value: Any, spec: Any, path: str) -> Any:
    if isinstance(spec, Array):
        return _array(value, spec, path)
    if isinstance(spec, ListOf | tuple):
        size = spec.length if isinstance(spec, ListOf) else len(spec)
        if not isinstance(value, list | tuple) or (size is not None and len(value) != size):
            raise _Mismatch(path, value, spec)
        items = [spec.item] * len(value) if isinstance(spec, ListOf) else spec
        fitted = [
            _fit(v, s, f"{path}[{i}]") for i, (v, s) in enumerate(zip(value, items, strict=True))
        ]
        return tuple(fitted) if isinstance(spec, tuple) else fitted
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise _Mismatch(path, value, spec)
        missing = [k for k in spec if k not in value]
        if missing:
            raise _Mismatch(path, value, spec, f"without {show(missing, 80)}")
        return value | {k: _fit(value[k], s, f"{path}[{k!r}]") for k, s in spec.items()}
    if isinstance(spec, type):
        if not _fits_type(value, spec):
            raise _Mismatch(path, value, spec)
        if spec is float:  # as a float: what a test computes with
            try:
                return float(value)
            except OverflowError:
                raise _Mismatch(path, value, spec, "too large for a float") from None
        return value
    raise TypeError(f"expect_structure: {spec!r} is not a spec")  # the test's own mistake


def expect_structure(got: Any, spec: Any, what: str) -> Any:
    """``got``, if it has the structure ``spec`` says, with its arrays as numpy arrays;
    else fail with ``what``, what was expected and what came back (never a crash).

    A spec is an ``Array(shape, kind)``, a ``ListOf(spec)``, a tuple of specs (a list or
    tuple of exactly that many, returned as a tuple), a dict of specs (a dict with at least
    those keys), or a type: ``int``, ``float`` (a real number, returned as a float),
    ``str``, ``bool``, ``dict``, ``list`` (a list or tuple), ``object`` (anything)::

        train_x, train_y = expect_structure(got, (Array((None, 2)), Array((None,))), call)
    """
    try:
        return _fit(got, spec, "")
    except _Mismatch as wrong:
        expected = describe_spec(spec)
        if not wrong.path:
            said = f"got {summary(got)}" + (f" {wrong.detail}" if wrong.detail else "")
        else:
            said = f"got {summary(got)} whose {wrong.path} is {summary(wrong.value)}"
            said += f" {wrong.detail}" if wrong.detail else ""
            said += f", not {describe_spec(wrong.spec)}"
        raise CheckFailure(f"{what}: expected {expected}; {said}") from None
