"""Plain data across the sandbox boundary: length-prefixed JSON frames, arrays as ``.npy``.

Both sides use this module (the worker gets a copy). What crosses, as what:

- ``None``, ``bool``, ``int`` (any size), ``float`` (nan and infinities too)
  and ``str``, as themselves;
- ``tuple``, ``list`` and ``dict``, and any subclass of them, as the plain type
  (a namedtuple arrives as a ``tuple``, an ``OrderedDict``, ``defaultdict`` or
  ``Counter`` as a ``dict``, in the order of the dict's own storage). A subclass
  of ``int``, ``float`` or ``str`` (an ``IntEnum``, ...) arrives as the plain
  value it holds. Contents are read through the base type's own methods, so a
  subclass that overrides ``__iter__``, ``items``, ``__eq__`` or ``__index__``
  cannot make the grader see anything but the data it really holds;
- numpy arrays and numpy scalars of bool, signed and unsigned integer, float
  and unicode-string dtypes. An ndarray subclass (``np.matrix``, a masked
  array, a user's subclass) arrives as a plain ndarray of its data (a masked
  array's mask is dropped);
- everything else as an ``Opaque`` marker, which equals nothing: objects,
  sets, bytes, ``complex`` (Python or numpy: the lab has no complex numbers),
  and arrays of object, structured, void, bytes, datetime or complex dtype.

Encoding runs none of the value's own code and never pickles; decoding builds
only the types above, reads arrays without ``np.load`` (the header is checked
against the data before anything is allocated), and enforces ``MAX_DEPTH``,
``MAX_ELEMENTS``, ``MAX_TEXT`` and ``MAX_ARRAY_BYTES``, so nothing a
submission sends can run code in the grader or exhaust it. The encoder
enforces the same limits: a value over them is refused when it is sent, with
a clear error, rather than arriving as a broken frame.
"""

import base64
import binascii
import io
import json
import math
import os
import re
import select
import struct
import time

import numpy as np

MAX_FRAME = 64 << 20
"""The default for the largest frame accepted (bytes); ``receive`` takes its own."""

MAX_DEPTH = 64
"""Lists, tuples and dicts nested at most this deep (the lab's values nest 3 or 4 deep)."""

MAX_ELEMENTS = 1_000_000
"""Values in one frame, each container, scalar and array counting one (an array's
elements are covered by ``MAX_ARRAY_BYTES``)."""

MAX_TEXT = 16 << 20
"""Characters of text in one frame: strings, dict keys, big ints' digits, markers' names."""

MAX_ARRAY_BYTES = 47 << 20
"""Bytes of array data in one frame: what a ``MAX_FRAME`` frame carries after base64
(which makes 3 bytes 4), with room for the rest of the message."""

MAX_OPAQUE_NAME = 200
"""A marker keeps this many characters of its type's name."""

MAX_STRUCTURE = 6 * MAX_ELEMENTS + 16
"""``[``, ``{``, ``,`` and ``:`` outside strings in one frame: every value's JSON needs at
most 6, so this bounds what the JSON parser builds before the limits above are checked."""

_KINDS = "biufU"  # bool, signed and unsigned integer, float, unicode string
_SCALARS = frozenset(t for t in set(np.sctypeDict.values()) if np.dtype(t).kind in _KINDS)
_NPY_HEADER_ROOM = 10_016  # numpy's own cap on a header (10,000) and the magic string
_HEADER = struct.Struct(">I")
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_HEX = re.compile(r"-?[0-9a-f]+")


class WireError(Exception):
    """A frame could not be read, written or decoded, or a value is over the limits."""


class WireTimeout(WireError):
    """The deadline passed before a whole frame was written or read."""


class Opaque:
    """Stands for a value that is not plain data; it equals nothing, itself included.

    It hashes by identity, so it can stand for a dict key too.
    """

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<not plain data: {self.type_name}>"


# -- values <-> JSON-ready data ---------------------------------------------------------


def encode(value: object) -> object:
    """``value`` as JSON-ready data, tagging what JSON lacks; ``WireError`` if over the limits."""
    return _Encoder().value(value, 0)


def decode(data: object) -> object:
    """The inverse of ``encode``, building only plain types; ``WireError`` if malformed."""
    return _Decoder().value(data, 0)


class _Budget:
    """What one frame has used of the limits (the encoder and the decoder count alike)."""

    def __init__(self) -> None:
        self.elements = self.text = self.array_bytes = 0

    def count(self) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise WireError(f"more than {MAX_ELEMENTS:,} values")

    def spend_text(self, length: int) -> None:
        self.text += length
        if self.text > MAX_TEXT:
            raise WireError(f"more than {MAX_TEXT:,} characters of text")

    def spend_array(self, size: int) -> None:
        if size > MAX_ARRAY_BYTES - self.array_bytes:
            raise WireError(f"more than {MAX_ARRAY_BYTES:,} bytes of arrays")
        self.array_bytes += size


class _Encoder(_Budget):
    def value(self, value: object, depth: int) -> object:
        self.count()
        kind = type(value)  # the real type: isinstance() would believe a faked __class__
        if value is None or kind is bool:
            return value
        try:
            return self._value(value, kind, depth)
        except WireError:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. a dict changed by another thread
            return self._opaque(f"{_type_name(kind)} that could not be read ({error!r:.80})")

    def _value(self, value, kind: type, depth: int) -> object:
        if kind in _SCALARS:
            return {"$scalar": self._array(np.asarray(value))}
        if issubclass(kind, np.ndarray):  # a subclass's own methods are never called
            return self._array(np.ndarray.view(value, np.ndarray))
        # Subclasses are read through the base type's methods: their own may lie.
        if issubclass(kind, int):
            return self._int(int.__index__(value))
        if issubclass(kind, float):
            number = float.__float__(value)
            return number if math.isfinite(number) else {"$float": repr(number)}
        if issubclass(kind, str):
            text = str.__str__(value)
            self.spend_text(len(text))
            return text
        if issubclass(kind, list | tuple | dict) and depth >= MAX_DEPTH:
            return self._opaque(f"nesting deeper than {MAX_DEPTH}")
        if issubclass(kind, tuple):
            return {"$tuple": [self.value(v, depth + 1) for v in tuple.__iter__(value)]}
        if issubclass(kind, list):
            return [self.value(v, depth + 1) for v in list.__iter__(value)]
        if issubclass(kind, dict):
            pairs = [
                [self.value(k, depth + 1), self.value(v, depth + 1)] for k, v in dict.items(value)
            ]
            return {"$dict": pairs}
        return self._opaque(_type_name(kind))

    def _int(self, number: int) -> object:
        if -(2**53) < number < 2**53:  # exact in any JSON reader
            return number
        digits = format(number, "x")  # hex: no limit on digits, unlike str()
        self.spend_text(len(digits))
        return {"$int": digits}

    def _array(self, array: np.ndarray) -> dict:
        if not _plain_dtype(array.dtype):
            return self._opaque(f"numpy array of dtype {array.dtype}")
        self.spend_array(array.nbytes)
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return {"$npy": base64.b64encode(buffer.getbuffer()).decode("ascii")}

    def _opaque(self, name: str) -> dict:
        name = name[:MAX_OPAQUE_NAME]
        self.spend_text(len(name))
        return {"$opaque": name}


class _Decoder(_Budget):
    def value(self, data: object, depth: int) -> object:
        self.count()
        kind = type(data)
        if data is None or kind in (bool, int, float):
            return data
        if kind is str:
            self.spend_text(len(data))
            return data
        if kind is list:
            self._nest(depth)
            return [self.value(v, depth + 1) for v in data]
        if kind is not dict or len(data) != 1:
            raise WireError(f"malformed frame: a {kind.__name__} where a value was expected")
        ((tag, inner),) = data.items()
        if tag == "$tuple":
            self._nest(depth)
            return tuple(self.value(v, depth + 1) for v in _inner(tag, inner, list))
        if tag == "$dict":
            self._nest(depth)
            return self._dict(_inner(tag, inner, list), depth)
        if tag == "$npy":
            return self._array(_inner(tag, inner, str))
        if tag == "$scalar":
            inner = _inner(tag, inner, dict)
            if list(inner) != ["$npy"]:
                raise WireError("malformed frame: $scalar holds no array")
            array = self._array(_inner("$npy", inner["$npy"], str))
            if array.ndim:
                raise WireError("malformed frame: $scalar holds an array of more than one value")
            return array[()]
        if tag == "$int":
            digits = _inner(tag, inner, str)
            self.spend_text(len(digits))
            if not _HEX.fullmatch(digits):
                raise WireError("malformed frame: $int holds no hexadecimal number")
            return int(digits, 16)
        if tag == "$float":
            if inner not in ("nan", "inf", "-inf"):
                raise WireError("malformed frame: $float holds no nan or infinity")
            return float(inner)
        if tag == "$opaque":
            name = _inner(tag, inner, str)[:MAX_OPAQUE_NAME]
            self.spend_text(len(name))
            return Opaque(name)
        raise WireError(f"malformed frame: unknown tag {tag!r:.40}")

    def _nest(self, depth: int) -> None:
        if depth >= MAX_DEPTH:
            raise WireError(f"values nested deeper than {MAX_DEPTH}")

    def _dict(self, pairs: list, depth: int) -> dict:
        out: dict = {}
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise WireError("malformed frame: $dict holds something else than [key, value]")
            key, value = self.value(pair[0], depth + 1), self.value(pair[1], depth + 1)
            # A key that is not hashable here (a list subclass with a hash, there) or that
            # repeats one (two keys whose __eq__ lied, there) stays visible, as a marker.
            try:
                repeated = key in out
            except TypeError:
                key = Opaque(f"unhashable key of type {type(key).__name__}")
            else:
                if repeated:
                    key = Opaque(f"repeated key of type {type(key).__name__}")
            out[key] = value
        return out

    def _array(self, text: str) -> np.ndarray:
        room = MAX_ARRAY_BYTES - self.array_bytes
        if len(text) > (room + _NPY_HEADER_ROOM) // 3 * 4 + 4:
            raise WireError(f"more than {MAX_ARRAY_BYTES:,} bytes of arrays")
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as error:
            raise WireError(f"malformed array: {error}") from None
        shape, fortran, dtype, offset = _npy_header(raw)
        if not _plain_dtype(dtype):
            raise WireError(f"malformed frame: an array of dtype {dtype} is not plain data")
        if not all(type(n) is int and n >= 0 for n in shape):
            raise WireError("malformed array: a bad shape")
        # The header's shape could claim terabytes: check it against the data first.
        count = math.prod(shape)
        size = count * dtype.itemsize
        self.spend_array(size)
        if len(raw) - offset != size:
            raise WireError("malformed array: its data does not match its shape")
        try:
            flat = np.frombuffer(raw, dtype, count, offset=offset) if count else None
            flat = np.empty(0, dtype) if flat is None else flat
            array = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
        except (ValueError, OverflowError) as error:
            raise WireError(f"malformed array: {error}") from None
        return array.copy(order="K")  # writable, like np.load's


_NPY_DICT = re.compile(
    r"\{'descr': '([^'\\]{1,64})', 'fortran_order': (True|False), "
    r"'shape': \(((?:\d{1,19}, )*(?:\d{1,19},?)?)\),? ?\} *\n"
)
"""The header ``np.save`` writes (a dict literal of exactly these keys, padded), with or
without its last comma."""


def _npy_header(raw: bytes) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Shape, Fortran order, dtype and data offset of a ``.npy`` buffer (versions 1.0, 2.0).

    Parsed here, not by numpy, whose reader uses ``ast.literal_eval``: in CPython 3.11 two
    threads using ``ast`` at once (a grading lane reading a reply while another compiles a
    test) can fail with "AST constructor recursion depth mismatch", which would read as the
    submission's garbage.
    """
    if raw[:6] != b"\x93NUMPY" or raw[6:8] not in (b"\x01\x00", b"\x02\x00"):
        raise WireError("malformed array: not a .npy version 1.0 or 2.0 buffer")
    size_format, start = ("<H", 10) if raw[6] == 1 else ("<I", 12)
    if len(raw) < start:
        raise WireError("malformed array: its header is cut short")
    (length,) = struct.unpack(size_format, raw[8:start])
    if length > _NPY_HEADER_ROOM or start + length > len(raw):
        raise WireError("malformed array: its header is cut short or too long")
    match = _NPY_DICT.fullmatch(raw[start : start + length].decode("latin1"))
    if match is None:
        raise WireError("malformed array: its header is not what np.save writes")
    descr, fortran, dims = match.groups()
    try:
        dtype = np.dtype(descr)
    except (TypeError, ValueError) as error:
        raise WireError(f"malformed array: {error}") from None
    shape = tuple(int(n) for n in dims.replace(",", " ").split())
    return shape, fortran == "True", dtype, start + length


def _inner(tag: str, inner: object, kind: type) -> object:
    if type(inner) is not kind:
        raise WireError(f"malformed frame: {tag} holds a {type(inner).__name__}")
    return inner


def _plain_dtype(dtype: np.dtype) -> bool:
    return (
        dtype.kind in _KINDS
        and dtype.fields is None
        and dtype.subdtype is None
        and not dtype.hasobject
        and dtype.itemsize > 0
    )


def _type_name(kind: type) -> str:
    """``module.qualname`` as stored on the class: a metaclass's properties are not asked."""
    try:
        parts = [type.__dict__[a].__get__(kind) for a in ("__module__", "__qualname__")]
    except Exception:  # noqa: BLE001
        return "?"
    return ".".join(p if type(p) is str else "?" for p in parts)


# -- frames ------------------------------------------------------------------------------


def pack(message: object) -> bytes:
    """One frame (header and JSON) for ``message``; ``WireError`` if it is over the limits."""
    payload = json.dumps(encode(message), separators=(",", ":"), allow_nan=False).encode()
    if len(payload) > MAX_FRAME:
        raise WireError(f"a message of {len(payload):,} bytes is over the {MAX_FRAME:,} limit")
    _check_structure(payload)
    return _HEADER.pack(len(payload)) + payload


def unpack(payload: bytes) -> object:
    """The message in a frame's JSON payload (after its header)."""
    _check_structure(payload)
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as error:
        raise WireError(f"malformed frame: {error}") from None
    return decode(data)


def _check_structure(payload: bytes) -> None:
    """Refuse a payload whose JSON would build more objects than any value within the limits.

    Counting the bytes overcounts (strings may hold brackets and commas): only when
    that count is over does the exact count, without strings, decide.
    """
    if _structure(payload) > MAX_STRUCTURE and (
        _structure(_STRINGS.sub(b'""', payload)) > MAX_STRUCTURE
    ):
        raise WireError(f"more than {MAX_ELEMENTS:,} values")


def _structure(payload: bytes) -> int:
    return sum(payload.count(c) for c in (b"[", b"{", b",", b":"))


def send(fd: int, message: object, deadline: float | None = None) -> None:
    """Write one frame for ``message`` (see ``write``)."""
    write(fd, pack(message), deadline)


def write(fd: int, frame: bytes, deadline: float | None = None) -> None:
    """Write ``frame`` whole; with a ``deadline`` (``time.monotonic()``), ``WireTimeout``
    once it passes: ``fd`` is made non-blocking and waited on between chunks."""
    if deadline is not None:
        os.set_blocking(fd, False)
    view = memoryview(frame)
    while view:
        _check_deadline(deadline)
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            _wait(fd, select.POLLOUT, deadline)


def receive(fd: int, deadline: float | None = None, max_frame: int = MAX_FRAME) -> object:
    """Read one frame and decode it; ``EOFError`` if the other side has gone.

    With a ``deadline`` (``time.monotonic()``) the whole frame, header and payload,
    must arrive by then, else ``WireTimeout``. A frame over ``max_frame`` bytes is
    refused (``WireError``) before it is read.
    """
    if deadline is not None:
        os.set_blocking(fd, False)
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    if size > max_frame:
        raise WireError(f"a frame of {size:,} bytes is over the {max_frame:,} limit")
    return unpack(_read_exactly(fd, size, deadline))


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks, left = [], size
    while left:
        _check_deadline(deadline)
        try:
            chunk = os.read(fd, min(left, 1 << 20))
        except BlockingIOError:
            _wait(fd, select.POLLIN, deadline)
            continue
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() >= deadline:
        raise WireTimeout("the deadline passed before the whole frame was sent or received")


def _wait(fd: int, events: int, deadline: float | None) -> None:
    """Until ``fd`` is ready (or hung up: the next read or write says so) or the deadline."""
    poller = select.poll()  # unlike select(), any descriptor number
    poller.register(fd, events)
    while True:
        if deadline is None:
            timeout = None
        else:
            left = deadline - time.monotonic()
            _check_deadline(deadline)
            timeout = max(1, math.ceil(left * 1000))
        if poller.poll(timeout):
            return
