"""Every mistake the hidden tests name, with its question and clause, read from their source.

A hidden test names a mistake as a key of a dict of mistakes (``expect(..., mistakes={...})``,
or a helper's dict that ends there), through ``words.gives / likely / ignored(...)``, as a
``mistake=`` of a ``CheckFailure``, or as a public constant in a message
(``{words.NAME}``). The words may be a string, a constant of the public ``mistakes.py``
(``words.NAME``), or a parameter a caller passes as a string. The clause of a mistake named
in a helper is every test (public function) that reaches that helper.
"""

import ast
from dataclasses import dataclass

from submissions import LAB

from autograder.impl import fresh_name, load_file

WORDS = load_file(LAB.public_tests / "mistakes.py", fresh_name("hidden_mistakes_words"))
PHRASING_CALLS = {"gives", "likely", "ignored"}
DICT_NAMES = ("mistakes", "variants")  # a dict built under such a name holds mistakes only
NOT_A_MISTAKE = {"expected"}  # _cost_variants' key for the right answer, popped before use


@dataclass(frozen=True)
class Named:
    question: str
    clauses: tuple[str, ...]
    mistake: str


def _words(node: ast.AST, consts: dict[str, str]) -> list[str]:
    """The mistake names ``node`` can stand for (empty if it is none)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Attribute) and _is_words(node.value):
        value = getattr(WORDS, node.attr, None)
        return [value] if isinstance(value, str) else []
    if isinstance(node, ast.Name):
        return [consts[node.id]] if node.id in consts else []
    if isinstance(node, ast.Call) and _is_words(getattr(node.func, "value", None)):
        if node.func.attr == "ignored" and node.args:
            return [WORDS.ignored(w) for w in _words(node.args[0], consts)]
        return [w for a in node.args[:1] for w in _words(a, consts)]
    return []


def _is_words(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Name) and node.id == "words"


def _mistake_dicts(function: ast.FunctionDef) -> list[ast.Dict]:
    """The dicts of mistakes in ``function``: passed as ``mistakes=``, assigned to a name of
    ``DICT_NAMES``, or returned by a helper so named."""
    found = []
    returns_mistakes = any(n in function.name for n in DICT_NAMES)
    for node in ast.walk(function):
        if isinstance(node, ast.keyword) and node.arg == "mistakes":
            found.append(node.value)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in DICT_NAMES for t in node.targets
        ):
            found.append(node.value)
        elif isinstance(node, ast.Return) and returns_mistakes:
            found.append(node.value)
    return [d for d in found if isinstance(d, ast.Dict)]


def _constants(function: ast.FunctionDef) -> dict[str, str]:
    """Names assigned a string in ``function`` (``mistake = "..."``)."""
    consts = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    consts[target.id] = node.value.value
    return consts


def _named_in(function: ast.FunctionDef, consts: dict[str, str]) -> list[str]:
    names = []
    for d in _mistake_dicts(function):
        names += [w for k in d.keys if k is not None for w in _words(k, consts)]
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in PHRASING_CALLS:
            names += _words(node, consts)
        if isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Attribute):
            names += _words(node.value, consts)  # f"... {words.NEEDS_FEED}"
        if isinstance(node, ast.keyword) and node.arg == "mistake":
            value = node.value  # ``a if cond else b``: both may be named
            both = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
            names += [w for n in both for w in _words(n, consts)]
    return [n for n in dict.fromkeys(names) if n not in NOT_A_MISTAKE and n.strip()]


def _uses(function: ast.FunctionDef) -> set[str]:
    """The names ``function`` uses: the helpers it calls or hands on (``_by_value(.., f)``)."""
    return {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}


def _bindings(functions: dict, name: str) -> list[tuple[str | None, dict[str, str]]]:
    """For each call of ``name``: the function calling it, and the strings it passes by
    parameter name; one unbound entry if no call passes a string."""
    parameters = [a.arg for a in functions[name].args.args]
    found = []
    for caller, function in functions.items():
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
                args = dict(zip(parameters, node.args, strict=False))
                strings = {p: a.value for p, a in args.items() if isinstance(a, ast.Constant)}
                if any(isinstance(v, str) for v in strings.values()):
                    found.append((caller, strings))
    return found or [(None, {})]


def hidden_mistakes() -> list[Named]:
    """Every mistake the hidden tests name, each once per question, in source order."""
    named: dict[tuple[str, str], set[str]] = {}
    for question in LAB.questions:
        tree = ast.parse((LAB.hidden_tests / f"{question.id}.py").read_text())
        functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        reach = {f: (_uses(functions[f]) & set(functions)) | {f} for f in functions}
        for _ in functions:  # close over helpers of helpers
            reach = {f: r.union(*(reach[c] for c in r)) for f, r in reach.items()}

        for name, function in functions.items():
            for caller, binding in _bindings(functions, name):
                helper = caller or name
                where = {f for f in reach if not f.startswith("_") and helper in reach[f]}
                for mistake in _named_in(function, {**_constants(function), **binding}):
                    named.setdefault((question.id, mistake), set()).update(where)
    return [Named(q, tuple(sorted(c)), m) for (q, m), c in named.items()]
