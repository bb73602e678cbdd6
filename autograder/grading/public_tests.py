"""Public tests loaded with their asserts rewritten as pytest rewrites them, and pytest's
verdicts read: the only module that touches pytest's internals (``_pytest``).

pytest offers no public API for either: assert rewriting is ``_pytest.assertion.rewrite``,
values are shown by ``_pytest._io.saferepr``, and ``pytest.raises`` that saw nothing raises
``_pytest.outcomes.Failed``. Keeping them here keeps a pytest upgrade's changes to one file.
"""

import ast
import contextlib
import hashlib
import inspect
import marshal
import os
import re
import sys
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from autograder.formats.files import write_atomic


def load_rewritten(path: Path, name: str) -> ModuleType:
    """Import a public test module with its asserts rewritten as pytest rewrites them, so a
    failed ``assert got == want`` says what ``got`` and ``want`` were.

    The rewritten asserts call ``ASSERTS``, not pytest's module, whose messages depend on
    the pytest session running (if any): so a message is the same in ``rnnlab check``, in
    ``rnnlab grade`` under pytest or not, and in the kit (``tests/local.py`` does the same).
    """
    code = _rewritten_code(path)
    loaded = ModuleType(name)
    loaded.__file__ = str(path)
    loaded.__dict__[_HELPERS] = ASSERTS
    sys.modules[name] = loaded
    with _siblings_importable(path.parent):
        exec(code, loaded.__dict__)  # the assignment's own public tests: trusted
    return loaded


@contextlib.contextmanager
def _siblings_importable(folder: Path):
    """While a public test module loads, it imports the modules beside it by their plain
    names (``from mistakes import ...``), as under pytest's default import mode in the kit.
    Those are then forgotten by name (the test module keeps what it took), so another
    assignment's module of the same name is never taken for this one's. The grader loads
    public tests before its lanes start, in one thread."""
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for added in set(sys.modules) - before:
            origin = getattr(sys.modules[added], "__file__", None)
            if origin and Path(origin).parent == folder:
                del sys.modules[added]


def _rewritten_code(path: Path) -> CodeType:
    """The module's code with its asserts rewritten, kept beside it in ``__pycache__`` as
    pytest keeps its own (rewriting cost more than the numpy checks' sandboxes), for
    this source at this path, this pytest, this Python and this engine file."""
    import _pytest

    source = path.read_bytes()
    engine = os.stat(__file__).st_mtime_ns  # how this module rewrites may change too
    tag = f"{path.resolve()}\0{_pytest.__version__}\0{sys.version}\0{engine}\0".encode()
    key = hashlib.sha256(tag + source).hexdigest().encode()
    cached = path.parent / "__pycache__" / f"{path.stem}.rnnlab-asserts.pyc"
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        data = cached.read_bytes()
        if data[: len(key)] == key:
            return marshal.loads(data[len(key) :])
    from _pytest.assertion.rewrite import rewrite_asserts

    tree = ast.parse(source, str(path))
    rewrite_asserts(tree, source, str(path), None)
    tree.body = [node for node in tree.body if not _imports_pytest_helpers(node)]
    code = compile(tree, str(path), "exec", dont_inherit=True)
    with contextlib.suppress(OSError):  # a read-only install: rewrite every time
        # whole or not at all, for a grader beside this one
        write_atomic(cached, key + marshal.dumps(code), mode=0o644)  # public code's cache
    return code


_HELPERS = "@pytest_ar"
"""The name rewritten asserts call pytest's helpers by."""


def _imports_pytest_helpers(node: ast.stmt) -> bool:
    return isinstance(node, ast.Import) and any(a.asname == _HELPERS for a in node.names)


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def saferepr(value: object) -> str:
    """pytest's rendering of a value in an assertion (at its default verbosity), without
    memory addresses (``<Foo object at 0x7f...>`` is ``<Foo object>``)."""
    from _pytest._io.saferepr import DEFAULT_REPR_MAX_SIZE
    from _pytest._io.saferepr import saferepr as pytest_saferepr

    text = pytest_saferepr(value, maxsize=DEFAULT_REPR_MAX_SIZE).replace("\n", "\\n")
    return _ADDRESS.sub("", text)


def compare(op: str, left: object, right: object) -> str:
    """How a failed comparison reads: ``<left> == <right>``, each value as pytest shows it
    (``tests/local.py``'s ``compare`` reads the same, and the kit's pytest uses that)."""
    return f"{saferepr(left)} {op} {saferepr(right)}"


class _Asserts:
    """pytest's assertion helpers, but for the two that read the running pytest session:
    values are shown as at pytest's default verbosity, and comparisons by ``compare``."""

    def __getattr__(self, name: str) -> Any:
        from _pytest.assertion import rewrite

        return getattr(rewrite, name)

    @staticmethod
    def _saferepr(value: object) -> str:
        return _NAMED.format(value.__name__) if _by_name(value) else saferepr(value)

    @staticmethod
    def _format_explanation(explanation: str) -> str:
        from _pytest.assertion.util import format_explanation

        return format_explanation(plain_explanation(explanation))

    @staticmethod
    def _call_reprcompare(ops, results, expls, each_obj) -> str:
        # the first comparison of a chain that failed, as pytest picks it
        i = next((i for i, result in enumerate(results) if _failed(result)), len(ops) - 1)
        # the explanation is a format string (its values are interpolated later): escape %
        return compare(ops[i], each_obj[i], each_obj[i + 1]).replace("%", "%%")


def _failed(result: object) -> bool:
    try:
        return not result
    except Exception:  # noqa: BLE001 - an object whose truth cannot be told
        return True


ASSERTS = _Asserts()

# Where pytest explains a value by how it was computed ("+ where False = <function allclose
# at 0x...>(...)"), feedback shows the values in the assert instead: "assert
# np.allclose(array([1., 2.]), array([1., 3.]))". A function, class or module is shown by
# name, between these marks, until its expression ("np.allclose") replaces it.
_NAMED = "\ue000{}\ue001"
_NAMED_HEAD = re.compile("(\ue000[^\ue001]*\ue001) = ")
_MARKS = re.compile("\ue000([^\ue001]*)\ue001")
_FALSE = frozenset({"False", "np.False_", "numpy.False_"})


def _by_name(value: object) -> bool:
    """A function, method, class or module (told by type: an object's own ``__getattr__``,
    the submission's proxy, say, is never asked)."""
    return inspect.isroutine(value) or isinstance(value, type | ModuleType)


class _Clause:
    """A line of pytest's explanation and the "where" clauses that explain its values."""

    def __init__(self, text: str) -> None:
        self.text, self.clauses = text, []


def plain_explanation(explanation: str) -> str:
    """pytest's explanation of a failed assert (its mini-language, before formatting) with
    its "where" clauses folded in: names of functions replaced by the expressions that
    gave them, an ``assert False`` by the call that returned False, the rest left out.
    ``tests/local.py`` folds them the same way."""
    raw = (explanation or "").split("\n")
    lines = [raw[0]]
    for line in raw[1:]:  # as pytest breaks it into lines: other newlines are part of a value
        if line[:1] in ("{", "}", "~", ">"):
            lines.append(line)
        else:
            lines[-1] += "\\n" + line
    tops = [_Clause(lines[0])]
    stack = [tops[0]]
    for line in lines[1:]:
        if line[0] == "{":
            stack[-1].clauses.append(_Clause(line[1:]))
            stack.append(stack[-1].clauses[-1])
        elif line[0] == "}":
            stack.pop()
            stack[-1].text += line[1:]
        else:
            tops.append(_Clause(line))
            stack = [tops[-1]]
    return "\n".join(_MARKS.sub(r"\1", _folded(top, top=True)) for top in tops)


def _folded(clause: _Clause, top: bool = False) -> str:
    text, values = clause.text, []
    for inner in clause.clauses:
        said = _folded(inner)
        named = _NAMED_HEAD.match(said)
        if named:  # a function's name: the expression that gave it
            text = text.replace(named[1], said[named.end() :], 1)
        else:
            values.append(said)
    head = text[:1] if text[:1] in ("~", ">") else ""
    body = text[len(head) :]
    if top and body.startswith("assert "):  # "assert False": the call that returned False
        shown = body.removeprefix("assert ")
        negated = "not " if shown.startswith("not ") else ""
        shown = shown.removeprefix(negated)
        value = shown[1:-1] if shown.startswith("(") and shown.endswith(")") else shown
        how = [v.removeprefix(f"{value} = ") for v in values if v.startswith(f"{value} = ")]
        if how:
            said = "" if value in _FALSE or negated else f" (it is {value})"
            return f"{head}assert {negated}{how[0]}{said}"
    return text


def pytest_verdict(error: BaseException) -> str | None:
    """pytest's ``Failed`` (``pytest.raises`` that saw no error, ``pytest.fail``) is a verdict.

    pytest raises it as a ``BaseException``; its skip and exit outcomes are not
    verdicts on the submission, so they stay grader errors.
    """
    failed = sys.modules.get("_pytest.outcomes")
    if failed is None or not isinstance(error, failed.Failed):
        return None
    return _failed_text(str(error.msg or ""))


def _failed_text(message: str) -> str:
    """pytest's ``Failed`` message in the kit's words: "DID NOT RAISE <class 'ValueError'>"
    becomes "DID NOT RAISE: expected ValueError, but none was raised"."""
    if message.startswith("DID NOT RAISE"):
        expected = message.removeprefix("DID NOT RAISE").strip()
        expected = re.sub(r"<class '(?:builtins\.)?([\w.]+)'>", r"\1", expected)
        return f"DID NOT RAISE: expected {expected}, but none was raised"
    return message or "the test failed"
