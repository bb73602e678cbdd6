"""An assignment, declared in a manifest (``rnnlab.toml``) and checked before anything is graded.

The manifest says everything the engine knows of an assignment: its modules and graded
functions, its questions with every test's id, title, points and visibility (and, for a
hidden test, when students see its result and the public tests of its clause), the
resource profiles questions run under, its requirements, and where its reference,
hidden checks, public tests, notebook and CLI commands live. The engine reads it and
names nothing of any assignment. Its keys are ``KEYS`` below, which the authoring guide's
table (docs/pages/authoring.md) is generated from; a mistake is a ``ManifestError`` naming
the file and the key.

``load(path)`` parses and validates the file's own content; ``check(assignment)`` also
looks at the files it points to (every test resolves to a function, every check
function is in the rubric). ``current()`` is the assignment commands work on:
``$RNNLAB_ASSIGNMENT`` (a manifest or its folder), or the project's ``assignment/``.
"""

import ast
import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from autograder import ROOT
from autograder.errors import RnnlabError
from autograder.model.rubric import Question, Test
from autograder.model.visibility import DEFAULT_HIDDEN_VISIBILITY, HIDDEN_VISIBILITY

MANIFEST = "rnnlab.toml"

KEYS: dict[str, dict[str, str]] = {
    "assignment": {
        "name": "a short name: the kit's and the zips' file names",
        "title": "the assignment's title, for the kit's README and the notebook",
        "reference": "folder of the solution modules (never shipped)",
        "hidden_tests": "folder of hidden tests, <question id>.py (never shipped)",
        "public_tests": "folder of public tests, test_<module>.py (shipped)",
        "notebook": "optional: a Python file whose cells(export=, notebook=, tests_dir=) "
        "returns the student notebook's (kind, source) cells",
        "commands": "optional: a Python file whose register(subparsers) adds CLI commands",
        "equivalent_mutants": "optional: the TOML of mutants that behave as the reference",
        "equivalent_variants": "optional: the TOML of rewrites that keep the reference correct "
        "(rnnlab variants)",
        "total": "optional: the points the questions must add up to",
        "requirements": "pip requirements of the student kit and the grading zip",
        "hidden_visibility": "optional: when students see hidden tests' results: "
        + " | ".join(HIDDEN_VISIBILITY)
        + f" (default {DEFAULT_HIDDEN_VISIBILITY})",
        "require_public": "optional: true makes every hidden test name its clause's public "
        "test(s) with its `public` key",
    },
    "profiles.<name>": {
        "seconds": "wall-clock budget for all of one question's tests",
        "mutant_seconds": "the same, when grading a mutant (rnnlab mutate); default seconds",
        "memory_mb": "memory cap of one sandbox",
        "preload": "libraries the sandbox imports, quietly, before the submission's module",
        "env": "environment variables of the sandbox",
        "helper": "optional: a Python file whose functions probe the module (sub.probe.NAME); "
        "if it defines export and load, probes run in a clean sandbox on what the "
        "submission's sandbox exported",
    },
    "questions": {
        "id": "the question's id (an identifier)",
        "module": "the student module it grades",
        "functions": "the graded functions it covers",
        "profile": "the profile it runs under",
        "tests": "<test id> = { points, visibility = public|hidden, title[, public, "
        "hidden_visibility] }, in order",
    },
}

TEST_KEYS = {"points", "visibility", "title", "public", "hidden_visibility"}
"""A test's keys; ``public`` and ``hidden_visibility`` are optional, and only for hidden tests."""


class ManifestError(RnnlabError, ValueError):
    """The manifest, or a file it names, is wrong; the message names the file and the key."""


@dataclass(frozen=True, eq=False)
class Profile:
    """What a question needs to run: time, memory, libraries, environment, a helper."""

    name: str
    seconds: float
    mutant_seconds: float
    memory_mb: int
    preload: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    helper: Path | None = None
    clean: bool = False
    """The helper defines ``export`` and ``load``: probes run in a clean sandbox on what the
    submission's sandbox exported (``proxy.SubmissionProxy``)."""


@dataclass(frozen=True, eq=False)
class Assignment:
    path: Path
    """The manifest file."""
    name: str
    title: str
    reference: Path
    hidden_tests: Path
    public_tests: Path
    requirements: tuple[str, ...]
    profiles: dict[str, Profile]
    questions: tuple[Question, ...]
    notebook: Path | None = None
    commands: Path | None = None
    equivalent_mutants: Path | None = None
    equivalent_variants: Path | None = None

    @property
    def folder(self) -> Path:
        """The student's folder: the stubs, ``tests/``, the notebook source."""
        return self.path.parent

    @property
    def modules(self) -> tuple[str, ...]:
        """The graded modules, in the manifest's order."""
        return tuple(dict.fromkeys(q.module for q in self.questions))

    @property
    def total(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, id: str) -> Question:
        for q in self.questions:
            if q.id == id:
                return q
        from autograder.model.rubric import UnknownQuestion

        raise UnknownQuestion(
            f"no question {id!r}; the questions are {', '.join(q.id for q in self.questions)}"
        )

    def profile(self, question: Question) -> Profile:
        return self.profiles[question.profile]

    def never_shipped(self) -> list[Path]:
        """What no submission may see: the reference and the hidden checks."""
        return [self.reference, self.hidden_tests]


# -- loading ---------------------------------------------------------------------------------


def load(path: str | Path) -> Assignment:
    """The assignment declared at ``path`` (the manifest, or the folder holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
    if not path.is_file():
        raise ManifestError(f"{path}: no such manifest")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path}: not valid TOML: {error}") from None
    return _Reader(path).assignment(data)


@cache
def current() -> Assignment:
    """``$RNNLAB_ASSIGNMENT`` (a manifest or its folder), else the checkout's ``assignment/``.

    An installed engine (``pip install .``, a wheel) carries no assignment of its own: the lab
    stays in its repository, so without ``$RNNLAB_ASSIGNMENT`` (``--assignment``) there is none.
    """
    chosen = os.environ.get("RNNLAB_ASSIGNMENT")
    if chosen:
        return load(chosen)
    own = ROOT / "assignment" / MANIFEST
    if not own.is_file():
        raise ManifestError(
            "no assignment: pass --assignment PATH (a manifest, or its folder) or set "
            "RNNLAB_ASSIGNMENT; this installed rnnlab has none of its own (the lab's is "
            "assignment/ in its repository)"
        )
    return load(own)


class _Reader:
    """Reads the TOML's tables, naming ``file: key`` in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()

    def fail(self, key: str, problem: str) -> ManifestError:
        return ManifestError(f"{self.path}: {key}: {problem}")

    def table(self, value, key: str, allowed, required=()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, "missing, or not a table")
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}", f"unknown key (known: {', '.join(allowed)})")
        missing = [k for k in required if k not in value]
        if missing:
            raise self.fail(f"{key}.{missing[0]}", "missing")
        return value

    def string(self, table: dict, key: str, where: str, default=None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{where}.{key}", "should be a non-empty string")
        return value

    def strings(self, table: dict, key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{where}.{key}", "should be a list of strings")
        return tuple(value)

    def number(self, table: dict, key: str, where: str, default=None) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(f"{where}.{key}", f"should be a positive number, not {value!r}")
        return value

    def choice(self, table: dict, key: str, where: str, default: str) -> str:
        value = table.get(key, default)
        if value not in HIDDEN_VISIBILITY:
            raise self.fail(
                f"{where}.{key}",
                f"should be one of {', '.join(HIDDEN_VISIBILITY)}, not {value!r}",
            )
        return value

    def identifier(self, value, where: str) -> str:
        if not isinstance(value, str) or not value.isidentifier():
            raise self.fail(where, f"{value!r} is not a Python identifier")
        return value

    def file(self, table: dict, key: str, where: str, *, folder: bool, optional=False):
        if key not in table and optional:
            return None
        path = (self.path.parent / self.string(table, key, where)).resolve()
        if not (path.is_dir() if folder else path.is_file()):
            kind = "folder" if folder else "file"
            raise self.fail(f"{where}.{key}", f"no such {kind}: {path}")
        return path

    def assignment(self, data: dict) -> Assignment:
        unknown = sorted(set(data) - {"assignment", "profiles", "questions"})
        if unknown:
            raise self.fail(unknown[0], "unknown table (known: assignment, profiles, questions)")
        top = self.table(
            data.get("assignment"),
            "assignment",
            KEYS["assignment"],
            ("name", "reference", "hidden_tests", "public_tests"),
        )
        where = "assignment"
        shown = self.choice(top, "hidden_visibility", where, DEFAULT_HIDDEN_VISIBILITY)
        require_public = top.get("require_public", False)
        if not isinstance(require_public, bool):
            raise self.fail(f"{where}.require_public", "should be true or false")
        profiles = self.profiles(data.get("profiles"))
        questions = self.questions(data.get("questions"), profiles, shown, require_public)
        assignment = Assignment(
            path=self.path,
            name=self.string(top, "name", where),
            title=self.string(top, "title", where, top.get("name")),
            reference=self.file(top, "reference", where, folder=True),
            hidden_tests=self.file(top, "hidden_tests", where, folder=True),
            public_tests=self.file(top, "public_tests", where, folder=True),
            requirements=self.strings(top, "requirements", where),
            profiles=profiles,
            questions=questions,
            notebook=self.file(top, "notebook", where, folder=False, optional=True),
            commands=self.file(top, "commands", where, folder=False, optional=True),
            equivalent_mutants=self.file(
                top, "equivalent_mutants", where, folder=False, optional=True
            ),
            equivalent_variants=self.file(
                top, "equivalent_variants", where, folder=False, optional=True
            ),
        )
        if "total" in top:
            total = self.number(top, "total", where)
            if abs(assignment.total - total) > 1e-9:
                raise self.fail(
                    "assignment.total",
                    f"the tests' points add up to {assignment.total}, not {total}",
                )
        return assignment

    def profiles(self, data) -> dict[str, Profile]:
        if not isinstance(data, dict) or not data:
            raise self.fail("profiles", "missing: at least one [profiles.<name>] table")
        profiles = {}
        for name, table in data.items():
            where = f"profiles.{name}"
            table = self.table(table, where, KEYS["profiles.<name>"], ("seconds",))
            env = table.get("env", {})
            if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
                raise self.fail(f"{where}.env", "should be a table of strings")
            seconds = self.number(table, "seconds", where)
            helper = self.file(table, "helper", where, folder=False, optional=True)
            profiles[name] = Profile(
                name=name,
                seconds=float(seconds),
                mutant_seconds=float(self.number(table, "mutant_seconds", where, seconds)),
                memory_mb=int(self.number(table, "memory_mb", where, 2048)),
                preload=self.strings(table, "preload", where),
                env=dict(env),
                helper=helper,
                clean={"export", "load"} <= (_functions(helper) if helper else set()),
            )
        return profiles

    def questions(
        self, data, profiles: dict[str, Profile], shown: str, require_public: bool
    ) -> tuple[Question, ...]:
        if not isinstance(data, list) or not data:
            raise self.fail("questions", "missing: at least one [[questions]] table")
        questions, seen = [], set()
        for number, table in enumerate(data, start=1):
            where = f"questions[{number}]"
            table = self.table(table, where, KEYS["questions"], tuple(KEYS["questions"]))
            qid = self.identifier(table["id"], f"{where}.id")
            where = f"questions[{number}] ({qid})"
            if qid in seen:
                raise self.fail(f"{where}.id", "a second question with this id")
            seen.add(qid)
            profile = self.string(table, "profile", where)
            if profile not in profiles:
                raise self.fail(
                    f"{where}.profile", f"no profile {profile!r} (known: {', '.join(profiles)})"
                )
            functions = self.strings(table, "functions", where)
            for function in functions:
                self.identifier(function, f"{where}.functions")
            questions.append(
                Question(
                    id=qid,
                    module=self.identifier(table["module"], f"{where}.module"),
                    functions=functions,
                    tests=self.tests(table["tests"], where, shown, require_public),
                    profile=profile,
                )
            )
        return tuple(questions)

    def tests(self, data, where: str, shown: str, require_public: bool) -> tuple[Test, ...]:
        if not isinstance(data, dict) or not data:
            raise self.fail(f"{where}.tests", "should be a table of tests, at least one")
        tests, specs = [], {}
        for tid, spec in data.items():
            at = f"{where}.tests.{tid}"
            self.identifier(tid, at)
            spec = self.table(spec, at, TEST_KEYS, ("points", "visibility", "title"))
            if spec["visibility"] not in ("public", "hidden"):
                raise self.fail(f"{at}.visibility", "should be public or hidden")
            specs[tid] = spec
        public_ids = [tid for tid, spec in specs.items() if spec["visibility"] == "public"]
        for tid, spec in specs.items():
            at = f"{where}.tests.{tid}"
            hidden = spec["visibility"] == "hidden"
            for key in ("public", "hidden_visibility"):
                if key in spec and not hidden:
                    raise self.fail(f"{at}.{key}", "only a hidden test has this key")
            tests.append(
                Test(
                    tid,
                    self.string(spec, "title", at),
                    float(self.number(spec, "points", at)),
                    spec["visibility"],
                    shown=self.choice(spec, "hidden_visibility", at, shown) if hidden else "public",
                    public=self.public(spec, at, public_ids, require_public) if hidden else (),
                )
            )
        return tuple(tests)

    def public(self, spec: dict, at: str, public_ids: list[str], required: bool) -> tuple:
        """A hidden test's ``public`` key: public tests of its own question, one or a list."""
        if "public" not in spec:
            if required:
                raise self.fail(
                    f"{at}.public",
                    "missing: name the public test(s) of this clause (assignment.require_public "
                    f"is true); this question's public tests: {', '.join(public_ids) or 'none'}",
                )
            return ()
        value = spec["public"]
        named = [value] if isinstance(value, str) else value
        if not isinstance(named, list) or not named or not all(isinstance(v, str) for v in named):
            raise self.fail(f"{at}.public", "should be a public test's id, or a list of them")
        for tid in named:
            if tid not in public_ids:
                raise self.fail(
                    f"{at}.public",
                    f"{tid!r} is no public test of this question (its public tests: "
                    f"{', '.join(public_ids) or 'none'})",
                )
        if len(set(named)) != len(named):
            raise self.fail(f"{at}.public", "names a public test twice")
        return tuple(named)


# -- checking what it points to -----------------------------------------------------------


def _functions(path: Path) -> set[str]:
    """The module-level functions of a Python file, read without importing it."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except SyntaxError as error:
        raise ManifestError(f"{path}: does not parse: {error}") from None
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def check(assignment: Assignment) -> None:
    """Every test resolves to a function and every function is a test: raise if not.

    Public test ``t`` of a question on module ``m`` is ``test_t`` in
    ``public_tests/test_m.py``; hidden test ``t`` of question ``q`` is ``t`` in
    ``hidden_tests/q.py``, where every public function (no leading ``_``) must be a test. The
    reference must have every graded function. (That the reference passes every test is
    ``rnnlab validate``'s, which grades it.)
    """
    where = assignment.path
    for module in assignment.modules:
        functions = _functions(_need(assignment.reference / f"{module}.py", where, "reference"))
        graded = [f for q in assignment.questions if q.module == module for f in q.functions]
        missing = sorted(set(graded) - functions)
        if missing:
            raise ManifestError(
                f"{where}: questions: the reference's {module}.py has no {', '.join(missing)}"
            )
    for question in assignment.questions:
        at = f"{where}: questions ({question.id})"
        public = [t for t in question.tests if t.visibility == "public"]
        hidden = [t for t in question.tests if t.visibility == "hidden"]
        if public:
            path = _need(assignment.public_tests / f"test_{question.module}.py", where, "public")
            have = _functions(path)
            absent = [t.id for t in public if f"test_{t.id}" not in have]
            if absent:
                raise ManifestError(f"{at}.tests.{absent[0]}: no test_{absent[0]} in {path}")
        path = assignment.hidden_tests / f"{question.id}.py"
        if hidden or path.exists():
            have = {
                f for f in _functions(_need(path, where, "hidden_tests")) if not f.startswith("_")
            }
            declared = {t.id for t in hidden}
            if declared - have:
                first = sorted(declared - have)[0]
                raise ManifestError(f"{at}.tests.{first}: no function {first} in {path}")
            if have - declared:
                extra = sorted(have - declared)[0]
                raise ManifestError(
                    f"{at}.tests: {path} defines {extra}(), which is no hidden test of "
                    f"{question.id}: declare it, or name it _{extra}"
                )


def _need(path: Path, manifest: Path, key: str) -> Path:
    if not path.is_file():
        raise ManifestError(f"{manifest}: assignment.{key}: {path} does not exist")
    return path
