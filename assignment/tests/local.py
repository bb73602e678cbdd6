"""Your modules, as the public tests see them, and what a failed test says.

``Submission`` gives ``sub.vocab``, ``sub.rnn``, ... (the modules in the folder
above this one, or in $RNNLAB_IMPL) and ``sub.probe.NAME(...)``, which runs
``probes.NAME`` on your ``lstm`` module; it remembers the last call a test made.
``run`` runs one public test and says ``passed`` or what went wrong: the notebook's
``grader.check`` cells call it (through rnnlab's ``rnnlab_check.check``, which prints only
what went wrong). ``explain`` words a failure; pytest (``conftest.py``) shows the same words.

A failure says what the grader says for it: the call and what came back (or
what it raised), what the test expected, the mistake if it is a known one, and
the hidden tests of the same clause (``HIDDEN.md`` lists them all).
"""

import ast
import importlib
import inspect
import json
import os
import re
import sys
import traceback
from pathlib import Path
from types import ModuleType

import numpy as np

HERE = Path(__file__).resolve().parent
IMPL = Path(os.environ.get("RNNLAB_IMPL", HERE.parent)).resolve()
for folder in (HERE, IMPL):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

HIDDEN = HERE / "HIDDEN.md"
"""The hidden tests, by name and points; its last line holds the same as data."""
GRAPH_CALL = "lstm.build_graph"
"""What a probe calls: the graph a probe measures is this function's."""

_recorded: tuple | None = None
"""The latest call a test made: (label, args, kwargs, result or error, whether it returned)."""


def forget() -> None:
    """Before a test: no call yet."""
    global _recorded
    _recorded = None


def _recording(label: str, function, probe: bool = False):
    def call(*args, **kwargs):
        global _recorded
        shown = ((), dict(args[0])) if probe else (args, kwargs)
        _recorded = (label, *shown, None, False)
        try:
            result = function(*args, **kwargs)
        except Exception as error:
            _recorded = (label, *shown, error, False)
            raise
        _recorded = (label, *shown, result, True)
        return result

    return call


class ImportFailed(BaseException):
    """A module of yours that does not import, said as the grader says it. Not an
    ``Exception``: a test's own ``except Exception`` does not take it for a call's error."""


LIBRARIES = {"lstm": "tensorflow"}
"""A library a module of yours imports, imported first with stderr closed (as the grader
does): TensorFlow's start-up lines (oneDNN, CUDA) ignore TF_CPP_MIN_LOG_LEVEL."""


def _import_quietly(library: str) -> None:
    if library in sys.modules:
        return
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        importlib.import_module(library)
    except ImportError:  # not installed: your module's import says so
        pass
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def _import(module: str) -> ModuleType:
    if module in LIBRARIES:
        _import_quietly(LIBRARIES[module])
    try:
        return importlib.import_module(module)
    except NotImplementedError:
        raise ImportFailed(f"{module}.py raises NotImplementedError when imported") from None
    except ModuleNotFoundError as error:
        if error.name != module:
            raise ImportFailed(f"{module}.py fails to import: {_raised(error)}") from None
        raise ImportFailed(f"{module}.py is missing from {IMPL}") from None
    except Exception as error:  # noqa: BLE001 - every failure to import is said the same way
        raise ImportFailed(f"{module}.py fails to import: {_raised(error)}") from None


class _Probes:
    def __getattr__(self, name):
        import probes

        function = getattr(probes, name)
        lstm = _import("lstm")
        return _recording(
            GRAPH_CALL, lambda *args, **kwargs: function(lstm, *args, **kwargs), probe=True
        )


class _Module:
    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __repr__(self) -> str:  # as a failed assert shows it
        return f"sub.{self._module.__name__}"

    def __getattr__(self, name):
        value = getattr(self._module, name)
        if callable(value) and not isinstance(value, type):
            return _recording(f"{self._module.__name__}.{name}", value)
        return value


class Submission:
    probe = _Probes()

    def __repr__(self) -> str:
        return "sub"

    def __getattr__(self, module):
        if module.startswith("_"):  # asked by Python itself (copy, pickle, repr...)
            raise AttributeError(module)
        return _Module(_import(module))


# -- running one public test ------------------------------------------------------------------


def run(module: str, test: str) -> str:
    """Run ``test_<test>`` of ``test_<module>.py`` on your modules: ``passed`` or why not."""
    function = getattr(_tests(module), f"test_{test}")
    forget()
    try:
        function(Submission())
    except KeyboardInterrupt:
        raise
    # pytest's own failures (a pytest.raises that saw no error) are BaseExceptions.
    except BaseException as error:  # noqa: BLE001 - every failure becomes feedback
        return explain(error, f"test_{module}.py::test_{test}")
    return "passed"


_loaded: dict[str, ModuleType] = {}


def _tests(module: str) -> ModuleType:
    """``test_<module>.py``, its asserts rewritten as the grader rewrites them."""
    if module not in _loaded:
        path = HERE / f"test_{module}.py"
        try:
            _loaded[module] = _load_rewritten(path, f"test_{module}")
        except ImportError:  # no pytest: plain asserts, still feedback
            _loaded[module] = importlib.import_module(f"test_{module}")
    return _loaded[module]


def _load_rewritten(path: Path, name: str) -> ModuleType:
    from _pytest.assertion.rewrite import rewrite_asserts

    source = path.read_bytes()
    tree = ast.parse(source, str(path))
    rewrite_asserts(tree, source, str(path), None)
    tree.body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.Import) and any(a.asname == "@pytest_ar" for a in node.names))
    ]
    loaded = ModuleType(name)
    loaded.__file__ = str(path)
    loaded.__dict__["@pytest_ar"] = _Asserts()
    exec(compile(tree, str(path), "exec", dont_inherit=True), loaded.__dict__)
    return loaded


class _Asserts:
    """pytest's assertion helpers, but for the two that read a running pytest session."""

    def __getattr__(self, name):
        from _pytest.assertion import rewrite

        return getattr(rewrite, name)

    @staticmethod
    def _saferepr(value) -> str:
        return _NAMED.format(value.__name__) if _by_name(value) else saferepr(value)

    @staticmethod
    def _format_explanation(explanation: str) -> str:
        from _pytest.assertion.util import format_explanation

        return format_explanation(plain_explanation(explanation))

    @staticmethod
    def _call_reprcompare(ops, results, expls, each_obj) -> str:
        i = next((i for i, result in enumerate(results) if _failed(result)), len(ops) - 1)
        return compare(ops[i], each_obj[i], each_obj[i + 1]).replace("%", "%%")


def _failed(result) -> bool:
    try:
        return not result
    except Exception:  # noqa: BLE001 - an object whose truth cannot be told
        return True


def saferepr(value) -> str:
    """pytest's rendering of a value in an assertion (at its default verbosity), without
    memory addresses."""
    from _pytest._io.saferepr import DEFAULT_REPR_MAX_SIZE
    from _pytest._io.saferepr import saferepr as pytest_saferepr

    text = pytest_saferepr(value, maxsize=DEFAULT_REPR_MAX_SIZE).replace("\n", "\\n")
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


# Values, not pytest's "+ where" lines: a function, class or module is shown by name, between
# these marks, until the expression that gave it replaces it (as the grader does).
_NAMED = "\ue000{}\ue001"
_NAMED_HEAD = re.compile("(\ue000[^\ue001]*\ue001) = ")
_MARKS = re.compile("\ue000([^\ue001]*)\ue001")
_FALSE = frozenset({"False", "np.False_", "numpy.False_"})


def _by_name(value) -> bool:
    """A function, method, class or module (told by type, never by asking the object)."""
    return inspect.isroutine(value) or isinstance(value, type | ModuleType)


class _Clause:
    def __init__(self, text: str) -> None:
        self.text, self.clauses = text, []


def plain_explanation(explanation: str) -> str:
    """pytest's explanation of a failed assert with its "where" clauses folded in: names of
    functions replaced by the expressions that gave them, an ``assert False`` by the call
    that returned False, the rest left out."""
    raw = (explanation or "").split("\n")
    lines = [raw[0]]
    for line in raw[1:]:
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
        if named:
            text = text.replace(named[1], said[named.end() :], 1)
        else:
            values.append(said)
    head = text[:1] if text[:1] in ("~", ">") else ""
    body = text[len(head) :]
    if top and body.startswith("assert "):
        shown = body.removeprefix("assert ")
        negated = "not " if shown.startswith("not ") else ""
        shown = shown.removeprefix(negated)
        value = shown[1:-1] if shown.startswith("(") and shown.endswith(")") else shown
        how = [v.removeprefix(f"{value} = ") for v in values if v.startswith(f"{value} = ")]
        if how:
            said = "" if value in _FALSE or negated else f" (it is {value})"
            return f"{head}assert {negated}{how[0]}{said}"
    return text


def compare(op: str, left, right) -> str:
    """How a failed comparison reads: ``<left> == <right>``."""
    return f"{saferepr(left)} {op} {saferepr(right)}"


# -- what a failure says ----------------------------------------------------------------------


def explain(error: BaseException, test: str = "") -> str:
    """What a failed public test says: the call and what came back (or what it raised),
    what the test said, and the hidden tests of the same clause (``test`` is
    ``test_<module>.py::test_<id>``)."""
    if isinstance(error, ImportFailed):  # the module's failure, not the test's
        return str(error)
    call = _the_call()
    if isinstance(error, NotImplementedError) and _raised_by_the_call(error):
        return f"{_recorded[0]} raises NotImplementedError: not written yet"
    if isinstance(error, AssertionError):
        said = _assertion(error)
    elif _is_pytest_failure(error):
        said = _failed_text(str(getattr(error, "msg", "") or ""))
    elif _raised_by_the_call(error):
        said = None
    else:
        said = _explain_crash(error, test.partition("::")[0])
    lines = [line for line in (call, said) if line]
    return "\n".join(lines + _hidden_of(test))


def _raised_by_the_call(error: BaseException) -> bool:
    return _recorded is not None and not _recorded[4] and _recorded[3] is error


def _the_call() -> str:
    if _recorded is None:
        return ""
    label, args, kwargs, outcome, returned = _recorded
    probe = label == GRAPH_CALL and not args  # a probe of the graph built from a configuration
    call = f"{label}({_arguments(args, kwargs)})"
    if returned:
        return f"on the graph of {call}" if probe else f"{call} returned {brief(outcome, 200)}"
    if not isinstance(outcome, BaseException):
        return ""
    # what it raised, even when the test caught that and failed after (as the grader says)
    raised = outcome
    if probe and type(raised).__name__ == "ProbeError":  # the probe's words on the graph
        return f"on the graph of {call}: {raised}"
    if probe and not _where(raised):  # running the graph, not building it
        return f"on the graph of {call}: {type(raised).__name__}: {raised}"
    return f"{call} raised {_raised(raised)}"


def _raised(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}{_where(error)}"


def _where(error: BaseException) -> str:
    """Where in your modules it was raised, as the grader says it."""
    frames = [
        f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}: {(f.line or '').strip()}"
        for f in traceback.extract_tb(error.__traceback__)
        if Path(f.filename).resolve().parent == IMPL
    ]
    return f" (at {frames[-1]})" if frames else ""


def _arguments(args: tuple, kwargs: dict) -> str:
    named = [f"{k}={brief(v, 60)}" for k, v in kwargs.items()]
    return ", ".join([brief(a, 80) for a in args] + named)


def _assertion(failure: AssertionError) -> str:
    text = str(failure).strip()
    if text:
        return text
    frame = traceback.extract_tb(failure.__traceback__)[-1]
    return f"assertion failed: {(frame.line or '').strip()}"


def _is_pytest_failure(error: BaseException) -> bool:
    outcomes = sys.modules.get("_pytest.outcomes")
    return outcomes is not None and isinstance(error, outcomes.Failed)


def _failed_text(message: str) -> str:
    if message.startswith("DID NOT RAISE"):
        expected = message.removeprefix("DID NOT RAISE").strip()
        expected = re.sub(r"<class '(?:builtins\.)?([\w.]+)'>", r"\1", expected)
        return f"DID NOT RAISE: expected {expected}, but none was raised"
    return message or "the test failed"


def _explain_crash(error: BaseException, test_file: str) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if Path(f.filename).name == test_file] or frames
    line = (ours[-1].line or "").strip() if ours else ""
    return f"the test could not use what came back: {type(error).__name__}: {error}\nat: {line}"


def _hidden_of(test: str) -> list[str]:
    hidden = _hidden().get("public", {}).get(test, [])
    if not hidden:
        return []
    named = "; ".join(f"see '{title}' ({_points(points)})" for title, points in hidden)
    return [f"Hidden tests of the same clause, graded after you submit: {named}."]


def name(test: str) -> str:
    """``test`` (``test_<module>.py::test_<id>``) as the grader and the notebook's checks
    name it: ``question: title``."""
    return _hidden().get("names", {}).get(test, test)


def _points(points: float) -> str:
    return f"{points:g} point{'' if points == 1 else 's'}"


def _hidden() -> dict:
    """What ``HIDDEN.md`` says as data (its last line): {} if it is not there."""
    try:
        last = HIDDEN.read_text(encoding="utf-8").rstrip().splitlines()[-1]
        found = re.fullmatch(r"<!-- hidden tests: (.*) -->", last)
        return json.loads(found[1]) if found else {}
    except (OSError, IndexError, ValueError):
        return {}


def summary(score: float, public: float) -> str:
    """The public checks' score on the grader's scale, in rnnlab's words."""
    from rnnlab_check import scale

    return scale(score, public, _hidden().get("points", 0))


# -- a value on one line, as the grader shows it ------------------------------------------------


def brief(value, limit: int = 100) -> str:
    """A value on one line: whole when short, else a summary (an array by its shape and
    dtype, a long list by its length)."""
    text = _one_line(value, limit)
    if text is not None and len(text) <= limit:
        return text
    if isinstance(value, list | tuple) and 0 < len(value) <= 8:
        inner = ", ".join(brief(v, max(30, limit // len(value))) for v in value)
        text = f"[{inner}]" if isinstance(value, list) else f"({inner}{',' * (len(value) == 1)})"
        if len(text) <= 2 * limit:
            return text
    return _summary(value, limit)


def _one_line(value, limit: int) -> str | None:
    if isinstance(value, np.ndarray):
        if value.size > limit or value.dtype.kind not in "biuf":
            return None
        body = np.array2string(value, separator=", ", max_line_width=10**9, threshold=10**9)
        return f"array({' '.join(body.split())})"  # rows on one line too
    if isinstance(value, np.generic):
        return _one_line(value.item(), limit)
    if isinstance(value, list | tuple | dict) and len(value) > limit:
        return None
    if isinstance(value, list | tuple):
        items = [_one_line(v, limit) for v in value]
        if None in items:
            return None
        inner = ", ".join(items) + ("," if isinstance(value, tuple) and len(value) == 1 else "")
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, dict):
        items = [(_one_line(k, limit), _one_line(v, limit)) for k, v in value.items()]
        if any(None in pair for pair in items):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, str) and len(value) > limit:
        return None
    try:
        return repr(value).replace("\n", " ")
    except ValueError:  # an int past Python's digit limit for str()
        return None


def _summary(value, limit: int) -> str:
    if isinstance(value, np.ndarray):
        return f"<array of shape {value.shape}, {value.dtype}>"
    if isinstance(value, list | tuple | dict):
        return f"<{type(value).__name__} of {len(value)} items>"
    if isinstance(value, str):
        return repr(value[:limit]) + "..."
    if isinstance(value, int):
        return f"<int of {value.bit_length()} bits>"
    return f"<{type(value).__name__}>"
