"""Comparing an answer with the expected one: what differs, and which known mistakes explain it."""

import math
from typing import Any

import numpy as np

from autograder.sandbox.inside.wire import Opaque


def show(value: Any, limit: int = 400) -> str:
    """A short, readable rendering of a value for feedback."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, threshold=40, edgeitems=3, precision=6)
        text = f"array({body}, shape={value.shape}, dtype={value.dtype})"
    else:
        try:
            text = repr(value)
        except ValueError:  # an int (somewhere inside) past Python's digit limit for str()
            text = f"<{summary(value)}, too large to show>"
    return text if len(text) <= limit else text[: limit - 5] + " ...]"


def summary(value: Any) -> str:
    """What a value is, in a few words, whatever it is (an answer's type and size)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, Opaque):
        return f"{value!r} (not plain data)"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, int | np.integer):
        if abs(value) < 10**30:
            return f"an int ({value})"
        return f"an int of {int(value).bit_length()} bits"  # str() may refuse so many digits
    if isinstance(value, float | np.floating):
        return f"a float ({float(value)!r})"
    if isinstance(value, str):
        return f"a str ({show(value, 60)})"
    if isinstance(value, list | tuple):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, dict):
        return f"a dict with keys {show(list(value), 80)}"
    return f"a {type(value).__name__}"


def difference(
    got: Any,
    expected: Any,
    *,
    rtol: float = 1e-7,
    atol: float = 1e-9,
    strict_types: bool = False,
    path: str = "",
) -> str | None:
    """Why ``got`` is not ``expected`` (None when it is). Lists and tuples are alike
    unless ``strict_types``; numbers compare within tolerance; ints exactly."""
    where = f" at {path}" if path else ""
    if isinstance(got, Opaque):
        return f"returned {got!r}{where}: not plain data (a list, dict, number, str or array)"
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        try:
            got_array = np.asarray(got)
        except (ValueError, TypeError):
            return f"expected an array{where}, got {show(got)}"
        expected = np.asarray(expected)
        if got_array.shape != expected.shape:
            return f"expected shape {expected.shape}{where}, got shape {got_array.shape}"
        if got_array.dtype.kind not in "biuf" and expected.dtype.kind in "biuf":
            return f"expected numbers{where}, got dtype {got_array.dtype}"
        if expected.dtype.kind not in "biuf":  # strings, objects: equal, no tolerance
            try:
                same = bool(np.array_equal(got_array, expected))
            except (TypeError, ValueError):  # no comparing the two: not what was expected
                same = False
            return None if same else f"expected {show(expected, 200)}{where}, got {show(got, 200)}"
        if got_array.size and not np.allclose(
            got_array, expected, rtol=rtol, atol=atol, equal_nan=True
        ):
            bad = np.argwhere(
                ~np.isclose(got_array, expected, rtol=rtol, atol=atol, equal_nan=True)
            )[0]
            index = tuple(int(i) for i in bad)
            return (
                f"values differ{where}: at index {index} expected "
                f"{expected[index].item()!r}, got {got_array[index].item()!r}"
            )
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"expected a dict{where}, got {type(got).__name__}: {show(got)}"
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing keys {show(missing, 120)}")
            if extra:
                parts.append(f"unexpected keys {show(extra, 120)}")
            return f"{' and '.join(parts)}{where}"
        for key in expected:
            reason = difference(
                got[key],
                expected[key],
                rtol=rtol,
                atol=atol,
                strict_types=strict_types,
                path=f"{path}[{key!r}]",
            )
            if reason:
                return reason
        return None
    if isinstance(expected, list | tuple):
        kinds = (type(expected),) if strict_types else (list, tuple)
        if not isinstance(got, kinds):
            return f"expected a {type(expected).__name__}{where}, got {show(got)}"
        if len(got) != len(expected):
            return f"expected length {len(expected)}{where}, got length {len(got)}"
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            reason = difference(
                a, b, rtol=rtol, atol=atol, strict_types=strict_types, path=f"{path}[{i}]"
            )
            if reason:
                return reason
        return None
    if isinstance(expected, bool) or isinstance(expected, str) or expected is None:
        return (
            None
            if (type(got) is type(expected) and got == expected)
            else (f"expected {show(expected)}{where}, got {show(got)}")
        )
    if isinstance(expected, int | np.integer):
        if isinstance(got, bool) or not isinstance(got, int | np.integer) or got != expected:
            return f"expected {show(expected)}{where}, got {show(got)}"
        return None
    if isinstance(expected, float | np.floating):
        if not isinstance(got, int | float | np.integer | np.floating) or isinstance(got, bool):
            return f"expected a number{where}, got {show(got)}"
        try:
            value = float(got)
        except OverflowError:  # an int too large for a float is no close answer
            return f"expected {float(expected)!r}{where}, got {show(got)}"
        if math.isclose(value, float(expected), rel_tol=rtol, abs_tol=atol):
            return None
        return f"expected {float(expected)!r}{where}, got {value!r}"
    return None if got == expected else f"expected {show(expected)}{where}, got {show(got)}"


def known_mistake(got: Any, variants: dict[str, Any], **tolerances) -> str | None:
    """The name of the first known-buggy variant that ``got`` matches, if any.

    A variant that is ``None`` (the mistake does not apply to this input) names
    nothing: a function that returns ``None`` has not made that mistake.
    """
    if got is None:
        return None
    for name, value in variants.items():
        if value is not None and difference(got, value, **tolerances) is None:
            return name
    return None


def _parts(got: Any, expected: Any, variant: Any, path: str = "") -> list[tuple]:
    """``(path, got, expected, variant)`` of the parts the three share: the items of lists,
    tuples and dicts (recursively), the rows of arrays of two or more dimensions. A value
    whose parts do not line up in all three is one part."""
    if isinstance(expected, list | tuple) and all(
        isinstance(v, list | tuple) and len(v) == len(expected) for v in (got, variant)
    ):
        items = [(f"[{i}]", got[i], e, variant[i]) for i, e in enumerate(expected)]
    elif isinstance(expected, dict) and all(
        isinstance(v, dict) and v.keys() == expected.keys() for v in (got, variant)
    ):
        items = [(f"[{k!r}]", got[k], e, variant[k]) for k, e in expected.items()]
    elif (
        isinstance(expected, np.ndarray)
        and expected.ndim >= 2
        and all(np.shape(v) == expected.shape for v in (got, variant))
    ):
        got, variant = np.asarray(got), np.asarray(variant)
        items = [(f"[{i}]", got[i], e, variant[i]) for i, e in enumerate(expected)]
    else:
        return [(path, got, expected, variant)]
    return [part for sub, *rest in items for part in _parts(*rest, path=path + sub)]


def _telling(value: Any) -> bool:
    """A part that can say which mistake made it: not a lone number, bool or string, which
    one mistake or another (or none) gives by chance."""
    if isinstance(value, np.ndarray):
        return value.size >= 2
    return isinstance(value, list | tuple | dict) and len(value) > 0


def partly_explained(got: Any, expected: Any, variants: dict[str, Any], **tolerances) -> list[str]:
    """The known mistakes that give some part of ``got`` (an item of a tuple, list or dict,
    or a row of an array) that differs from ``expected``, where the mistake's part differs
    from it too: a submission with two mistakes gets both named, one part each.

    A part that is a lone number, bool or string names nothing: mistakes agree on those
    by chance.
    """
    if got is None:
        return []
    names = []
    for name, variant in variants.items():
        if variant is None:
            continue
        try:
            parts = _parts(got, expected, variant)
        except (ValueError, TypeError):  # an answer no array can hold: it has no rows
            continue
        if any(
            _telling(e)
            and difference(g, e, **tolerances) is not None
            and difference(v, e, **tolerances) is not None
            and difference(g, v, **tolerances) is None
            for _, g, e, v in parts
        ):
            names.append(name)
    return names
