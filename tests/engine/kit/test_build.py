"""rnnlab build: the student kit holds what students need and nothing of the grading."""

import ast
import io
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import tokenize
import tomllib
import zipfile

import nbformat
import pytest
import yaml
from packaging.requirements import Requirement

from autograder import ROOT
from autograder.formats.manifest import current as current_assignment
from autograder.kit import stubs
from autograder.kit.build import build, student_ok_tests, write_kit
from autograder.kit.notebook import (
    GRADED,
    HEADLESS_RUN,
    NOTEBOOK,
    OTTER_TESTS,
    export_command,
    headless_zip,
    student_side,
)

LAB = current_assignment()


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dist"))


def solution_lines() -> set[str]:
    """Every substantial line of solution code in the reference that its docstrings do not state.

    (``split_idx = int(n * split_frac)`` is the contract's own wording, for one.)
    """
    stated = "\n".join(stubs.render(ROOT / "reference", m) for m in LAB.modules)
    lines = set()
    for module in LAB.modules:
        inside = False
        for line in (ROOT / "reference" / f"{module}.py").read_text().splitlines():
            stripped = line.strip()
            if stripped == "# BEGIN SOLUTION":
                inside = True
            elif stripped == "# END SOLUTION":
                inside = False
            elif inside and len(stripped) > 25 and not stripped.startswith("#"):
                lines.add(stripped)
    return {line for line in lines if line not in stated}


CONTRACT_FORMULAS = {"split_idx = int(n * split_frac)"}
"""Solution statements the contract itself gives as the definition of a result."""

_SUBSCRIPTED = re.compile(r"\b([A-Za-z_]\w*)_\{([^{}]*)\}")  # s_{t-1}: one name
_PROMPT = re.compile(r"^\s*(?:>>>|\.\.\.|[-*+\u2022]\s)\s*")  # doctest prompts, bullets
_TOKEN = re.compile(
    r"[A-Za-z_]\w*|\d+(?:\.\d*)?(?:e-?\d+)?|'[^']*'|\"[^\"]*\"|\*\*=?|//=?|[-+*/@%&|^]=|[=!<>]=|->|\S"
)
_PUNCTUATION = set("()[]{},:")


def code_tokens(text: str) -> list[str]:
    """``text`` as code tokens, normalised: no backticks, no ``np.``, ``s_{t-1}`` one name,
    and an update (``+=``, ``*=``, ...) an assignment."""
    text = re.sub(r"\b(?:np|numpy)\.", "", text.replace("`", ""))
    text = _SUBSCRIPTED.sub(lambda m: m[1] + "_" + re.sub(r"\W", "_", m[2]), text)
    found = []
    for token in _TOKEN.findall(text):
        if token[0] in "'\"":
            token = f"'{token[1:-1]}'"
        elif token.endswith("=") and token not in ("==", "!=", "<=", ">="):
            token = "="
        found.append(token)
    return found


def _variable(tokens: list[str], i: int) -> bool:
    """Whether ``tokens[i]`` names a variable (not a keyword, an attribute or a function)."""
    return (
        re.fullmatch(r"[A-Za-z_]\w*", tokens[i]) is not None
        and not keyword.iskeyword(tokens[i])
        and not (i and tokens[i - 1] == ".")
        and tokens[i + 1 : i + 2] != ["("]
    )


def _substance(tokens: list[str]) -> int:
    """How many tokens are neither variables nor brackets: operators, calls, attributes..."""
    return sum(t not in _PUNCTUATION and not _variable(tokens, i) for i, t in enumerate(tokens))


def mirrors(statement: list[str], line: list[str]) -> bool:
    """Whether ``line`` holds ``statement``'s tokens in a row, up to renaming its variables
    (consistently, one name for one name): ``delta = (W.T @ delta) * s_{t-1} * (1 - s_{t-1})``
    mirrors ``delta = (W.T @ delta) * prev_s * (1 - prev_s)``."""
    for start in range(len(line) - len(statement) + 1):
        forward: dict[str, str] = {}
        backward: dict[str, str] = {}
        for j, token in enumerate(statement):
            other = line[start + j]
            if _variable(statement, j) and _variable(line, start + j):
                if forward.setdefault(token, other) != other:
                    break
                if backward.setdefault(other, token) != token:
                    break
            elif token != other:
                break
        else:
            return True
    return False


def _solution_statements(source: str) -> set[str]:
    """The statements inside ``source``'s solution blocks, each on one line, and the value of
    each assignment and return: a ``for`` or ``with`` counts by its header, an ``if`` or
    ``while`` not at all (a condition is what the contract states as an error clause)."""
    lines = source.splitlines()
    inside, blocks = None, []
    for number, line in enumerate(lines, start=1):
        if line.strip() == "# BEGIN SOLUTION":
            inside = number
        elif line.strip() == "# END SOLUTION":
            blocks.append(range(inside, number))
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.stmt) or not any(node.lineno in b for b in blocks):
            continue
        if isinstance(node, ast.If | ast.While | ast.FunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.For | ast.With):
            header = "\n".join(lines[node.lineno - 1 : node.body[0].lineno - 1])
            found.add(header.split("#")[0].strip())
            continue
        parts = [node]
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Return):
            parts.append(node.value)
        found |= {ast.get_source_segment(source, part) for part in parts if part is not None}
    return {" ".join(statement.split()) for statement in found if statement}


def solution_statements() -> dict[str, list[str]]:
    """Every solution statement (and assigned value) of 3+ tokens of substance that assigns
    or calls, as code tokens; the contract's own formulas left out."""
    statements = {}
    for module in LAB.modules:
        source = (ROOT / "reference" / f"{module}.py").read_text()
        for statement in _solution_statements(source):
            if any(statement in formula for formula in CONTRACT_FORMULAS):
                continue
            tokens = code_tokens(statement)
            calls = any(
                re.fullmatch(r"\w+", token) and after == "(" and not keyword.iskeyword(token)
                for token, after in zip(tokens, tokens[1:], strict=False)
            )
            if _substance(tokens) >= 3 and ("=" in tokens or calls):
                statements[statement] = tokens
    return statements


def prose_lines(source: str) -> list[str]:
    """The lines of ``source``'s docstrings and comments."""
    lines = source.splitlines()
    numbers: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                numbers |= set(range(first.lineno - 1, first.end_lineno))
    comments = [
        token.string.lstrip("#")
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    return [lines[i] for i in sorted(numbers)] + comments


def pseudo_code(texts: dict[str, str]) -> list[tuple[str, str, str]]:
    """``(file, docstring or comment line, solution statement)`` for every line that writes
    out a solution statement, verbatim or with other names."""
    statements = solution_statements()
    found = []
    for name, text in texts.items():
        for line in prose_lines(text):
            tokens = code_tokens(_PROMPT.sub("", line))
            found += [(name, line.strip(), s) for s, t in statements.items() if mirrors(t, tokens)]
    return found


def hidden_test_names() -> set[str]:
    names = set()
    for path in (ROOT / "reference" / "hidden_tests").glob("*.py"):
        tree = ast.parse(path.read_text())
        names |= {
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef) and not n.name.startswith("_") and len(n.name) > 12
        }
    return names


def kit_texts(dist) -> dict[str, str]:
    with zipfile.ZipFile(dist["student.zip"]) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_kit_has_what_students_need(dist):
    names = set(kit_texts(dist))
    expected = {f"{m}.py" for m in LAB.modules} | {
        "lab.ipynb",
        "requirements.txt",
        "README.md",
        ".github/workflows/check.yml",
        "tests/local.py",
        "tests/conftest.py",
        "tests/probes.py",
    }
    assert expected <= names
    assert {f"otter_tests/{q.id}.py" for q in LAB.questions} <= names


def test_the_kit_holds_no_reference_code_and_no_hidden_tests(dist):
    texts = kit_texts(dist)
    leaked = [
        (name, line) for line in solution_lines() for name, text in texts.items() if line in text
    ]
    assert leaked == []
    hidden = [
        (name, test)
        for test in hidden_test_names()
        for name, text in texts.items()
        if re.search(rf"\b{test}\b", text)
    ]
    assert hidden == []
    assert not any(name.startswith(("reference/", "autograder/")) for name in texts)
    assert len(solution_lines()) > 30 and len(hidden_test_names()) > 30  # the search has teeth


def test_the_stubs_hold_no_pseudo_code_of_the_solution(dist):
    """A stub's docstring specifies; it does not walk through the solution's statements."""
    texts = kit_texts(dist)
    assert pseudo_code({f"{m}.py": texts[f"{m}.py"] for m in LAB.modules}) == []


TRANSCRIBED = '''
def rnn_backward(x, y, U, W, V, layers, bptt_truncate=None):
    """Back-propagation through time for one record: the gradients of ``L``.

    The loss has ONE output, at the last time step. Its error signal enters
    there and flows backwards through the hidden states:

        dV    = (y_hat - y) @ s_{T-1}.T
        delta = (V.T @ (y_hat - y)) * s_{T-1} * (1 - s_{T-1})
        for t = T-1, T-2, ..., max(0, T - bptt_truncate):
            dW += delta @ s_{t-1}.T
            dU[:, t:t+1] += delta * x[t]
            delta = (W.T @ delta) * s_{t-1} * (1 - s_{t-1})
    """
    raise NotImplementedError("rnn_backward: your code here")
'''
"""``rnn_backward``'s stub as it was: the contract's pseudo-code of the backward pass."""


def test_the_pseudo_code_check_catches_a_transcribed_backward_pass():
    found = {(line, statement) for _, line, statement in pseudo_code({"rnn.py": TRANSCRIBED})}
    assert ("dW += delta @ s_{t-1}.T", "dW = deltas @ prev_states.T") in found
    assert (
        "delta = (W.T @ delta) * s_{t-1} * (1 - s_{t-1})",
        "delta = (W.T @ delta) * prev_s * (1 - prev_s)",
    ) in found
    # ... and a comment does too, but a specification in words and equations of the loss does not
    assert pseudo_code({"m.py": "x = 1  # then delta = (W.T @ delta) * s * (1 - s)\n"})
    spec = '''"""dW = sum over t = T-k..T-1 of dL/dW_t, each term exact; dV = dL/dV."""\n'''
    assert pseudo_code({"m.py": spec}) == []
    assert len(solution_statements()) > 40  # the search has teeth


def test_the_notebook_is_valid_and_checks_every_question(dist):
    notebook = nbformat.read(dist["student"] / "lab.ipynb", as_version=4)
    nbformat.validate(notebook)
    source = "\n".join(cell.source for cell in notebook.cells)
    for question in LAB.questions:
        assert f'grader.check("{question.id}")' in source
    assert "grader.export(" in notebook.cells[-1].source


def test_the_readme_says_only_the_modules_are_graded_and_how_to_hand_in_headless(dist):
    readme = kit_texts(dist)["README.md"]
    assert " ".join(GRADED.split()) in " ".join(readme.split())
    kit_files = tuple(p.name for p in student_side(LAB).kit_files)
    assert kit_files == ("get_data.py",)
    headless = f"    {HEADLESS_RUN}\n    {export_command(NOTEBOOK, OTTER_TESTS, kit_files)}\n"
    assert headless in readme and f"`{headless_zip()}`" in readme


def test_the_ok_files_run_each_public_test_once():
    for question in LAB.questions:
        namespace: dict = {}
        exec(student_ok_tests()[f"{question.id}.py"], namespace)
        cases = namespace["test"]["suites"][0]["cases"]
        public = [t for t in question.tests if t.visibility == "public"]
        # named as rnnlab check names them; the last case, of no points, the points earned
        assert [c["name"] for c in cases] == [f"{question.id}: {t.title}" for t in public] + [
            f"{question.id}: public points"
        ]
        assert [c["points"] for c in cases] == [t.points for t in public] + [0]


def test_the_workflow_runs_the_public_checks_and_reports_the_score(dist, tmp_path):
    workflow = yaml.safe_load((dist["student"] / ".github/workflows/check.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    commands = [s["run"] for s in steps if "run" in s]
    assert "pip install -r requirements.txt" in commands[0]
    kit = tmp_path / "kit"
    shutil.copytree(dist["student"], kit)
    for module in LAB.modules:  # a student who has done everything
        shutil.copy(ROOT / "reference" / f"{module}.py", kit / f"{module}.py")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    env.pop("RNNLAB_IMPL", None)
    done = subprocess.run(
        commands[-1].replace("python", sys.executable, 1),
        shell=True,
        cwd=kit,
        env=env,
        capture_output=True,
        text=True,
    )
    total = sum(t.points for q in LAB.questions for t in q.tests if t.visibility == "public")
    assert done.returncode == 0, done.stdout[-2000:]
    assert f"Public checks: {total:g} / {total:g} points" in summary.read_text()


RUN_OK_TEST = """\
import json, sys
from otter.test_files.ok_test import OKTestFile
test = OKTestFile.from_file(sys.argv[1]); test.run({})
print(json.dumps([r.message for r in test.test_case_results]))
"""


def test_a_kit_s_checks_and_pytest_run_without_a_local_py_of_its_own(bare_assignment, tmp_path):
    """The notebook's checks and the kit's pytest need nothing of the assignment's but its
    public tests: the engine gives ``grader.check`` its runner, and pytest its ``sub``."""
    kit = tmp_path / "kit"
    write_kit(kit, bare_assignment)
    env = {k: v for k, v in os.environ.items() if k != "RNNLAB_IMPL"}

    def in_kit(*command: str, **extra: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, *command],
            cwd=kit,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done

    question = bare_assignment.questions[0]
    done = in_kit("-c", RUN_OK_TEST, f"otter_tests/{question.id}.py")
    assert done.returncode == 0, done.stderr[-2000:]
    messages = json.loads(done.stdout)
    public = [t for t in question.tests if t.visibility == "public"]
    assert len(messages) == len(public) + 1
    # The stubs: each check fails; the first says so in the kit's words, the others that
    # theirs is the same failure, or what function of theirs is not written yet.
    assert "not written yet" in messages[0]
    for message in messages[:-1]:
        assert message.startswith("❌ Test case failed"), message
        assert "not written yet" in message or "the same failure as" in message, message
        assert "Error: " not in message.replace("NotImplementedError", ""), message
    assert messages[-1].startswith("❌ Test case failed\n0 of the ")  # no public point earned

    tested = in_kit(
        "-m",
        "pytest",
        "tests",
        "-q",
        "-p",
        "no:cacheprovider",
        RNNLAB_IMPL=str(bare_assignment.reference),
    )
    total = sum(
        t.points for q in bare_assignment.questions for t in q.tests if t.visibility == "public"
    )
    assert tested.returncode == 0, tested.stdout[-2000:]
    assert f"public checks: {total:g} / {total:g} points" in tested.stdout


def test_the_grading_zip_installs_the_engine_and_the_assignment_s_requirements(dist):
    with zipfile.ZipFile(dist["autograder.zip"]) as archive:
        project = tomllib.loads(archive.read("rnnlab/pyproject.toml").decode())
        environment = yaml.safe_load(archive.read("environment.yml"))
    engine = {Requirement(r).name for r in project["project"]["dependencies"]}
    assert {"numpy", "pytest", "hypothesis", "otter-grader"} <= engine
    assert not engine & {"tensorflow", "tf-keras", "matplotlib"}  # the lab's, not the engine's
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["autograder*"]
    [pip] = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    assert pip[0].startswith("otter-grader[grading]==")
    assert pip[1:] == [*LAB.requirements, "/autograder/source/rnnlab"]
