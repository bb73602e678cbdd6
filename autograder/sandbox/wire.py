"""Plain data across the sandbox boundary: length-prefixed JSON frames, arrays as ``.npy``.

Both sides use this module (the worker gets a copy). Decoding builds only
``None``, ``bool``, ``int``, ``float``, ``str``, ``list``, ``tuple``, ``dict``
and numpy arrays read with ``allow_pickle=False``: nothing a submission sends
can run code in the grader. Anything else is sent as an ``Opaque`` marker,
which equals nothing, so an object that claims to equal everything arrives
as a marker that equals nothing.
"""

import base64
import io
import json
import math
import os
import struct

import numpy as np

MAX_FRAME = 64 << 20
"""The largest frame either side accepts (bytes)."""

_HEADER = struct.Struct(">I")


class WireError(Exception):
    """A frame could not be read or decoded."""


class Opaque:
    """Stands for a value that is not plain data; it equals nothing, itself included."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<not plain data: {self.type_name}>"


def encode(value, depth: int = 0):
    """``value`` as JSON-ready data, tagging what JSON lacks."""
    if depth > 64:
        return {"$opaque": "nesting deeper than 64"}
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value if abs(value) < 2**53 else {"$int": str(value)}
    if kind is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if kind is list:
        return [encode(v, depth + 1) for v in value]
    if kind is tuple:
        return {"$tuple": [encode(v, depth + 1) for v in value]}
    if kind is dict:
        return {"$dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if kind is np.ndarray:
        if value.dtype.hasobject:
            return {"$opaque": "numpy array of Python objects"}
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {"$npy": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, np.generic) and not isinstance(value, np.object_):
        return {"$scalar": encode(np.asarray(value), depth + 1)}
    return {"$opaque": f"{kind.__module__}.{kind.__qualname__}"}


def decode(data):
    """The inverse of ``encode``, building only plain types."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) != 1:
        raise WireError("malformed frame: a tagged value must have exactly one tag")
    ((tag, inner),) = data.items()
    if tag == "$tuple":
        return tuple(decode(v) for v in inner)
    if tag == "$dict":
        out = {}
        for key, value in inner:
            key = decode(key)
            try:
                out[key] = decode(value)
            except TypeError:  # an unhashable key (e.g. a list): keep it visible, as a marker
                out[Opaque(f"unhashable key {type(key).__name__}")] = decode(value)
        return out
    if tag == "$npy":
        try:
            return np.load(io.BytesIO(base64.b64decode(inner)), allow_pickle=False)
        except (ValueError, OSError) as error:
            raise WireError(f"malformed array: {error}") from None
    if tag == "$scalar":
        return decode(inner)[()]
    if tag == "$int":
        return int(inner)
    if tag == "$float":
        return float(inner)
    if tag == "$opaque":
        return Opaque(str(inner))
    raise WireError(f"malformed frame: unknown tag {tag!r}")


def send(fd: int, message) -> None:
    """Write one frame (``message`` is encoded first)."""
    payload = json.dumps(encode(message), separators=(",", ":")).encode()
    if len(payload) > MAX_FRAME:
        raise WireError(f"message of {len(payload):,} bytes is over the {MAX_FRAME:,} limit")
    _write_all(fd, _HEADER.pack(len(payload)) + payload)


def receive(fd: int):
    """Read one frame and decode it; ``EOFError`` if the other side has gone."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    if size > MAX_FRAME:
        raise WireError(f"frame of {size:,} bytes is over the {MAX_FRAME:,} limit")
    try:
        return decode(json.loads(_read_exactly(fd, size)))
    except (ValueError, RecursionError) as error:
        raise WireError(f"malformed frame: {error}") from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
