"""Equivalent variants: the rewrites keep behaviour, the lab's variants keep every point, and a
rewrite that is not equivalent is caught (so the check can fail).

The grading tests have "graded" in their names: ``pytest -k graded`` runs them.
"""

import ast
import random
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.cli import main
from autograder.formats import manifest
from autograder.formats.manifest import current as current_assignment
from autograder.mutate import rewrites, variants
from autograder.mutate.rewrites import Declared
from autograder.mutate.variants import VariantError

LAB = current_assignment()
SOFTMAX = Path(__file__).parents[2] / "assignments" / "softmax"


def rewritten(source: str, rewrite, seed: int = 0, extra=frozenset()) -> str | None:
    """``source`` (a module defining ``f``) after one generic rewrite, or None."""
    text, name = variants.apply_generic(
        textwrap.dedent(source), "f", rewrite, random.Random(seed), Declared((), extra)
    )
    return text if name else None


def run_f(source: str, *args):
    namespace: dict = {}
    exec(compile(source, "<variant>", "exec"), namespace)
    return namespace["f"](*args)


# -- the engine's rewrites, on snippets ----------------------------------------------------

SAMPLE = '''
from collections import Counter

def f(words, k=2):
    """A docstring."""
    if k < 0:
        raise ValueError("k")
    if not words:
        raise TypeError("words")
    counts = Counter(words)
    top = [w for w, _ in counts.most_common(k)]
    pairs = {w: counts[w] for w in top}
    total = sum(pairs.values())
    size = len(words)
    table = {"top": top, "total": total, "size": size}
    return {"pairs": pairs, **table}
'''


def test_rename_locals_renames_locals_and_nothing_else():
    text = rewritten(SAMPLE, rewrites.rename_locals)
    function = text[text.index("def f") :]
    for name in ("counts =", "top =", "pairs =", "total ="):
        assert name not in function
    assert "def f(words, k=2)" in text  # parameters keep their names
    assert "Counter(words)" in text and "most_common(k)" in text
    assert "'top':" in text  # strings are not names


def test_extract_helper_passes_the_locals_the_expression_reads():
    text = rewritten(SAMPLE, rewrites.extract_helper, seed=1)
    tree = ast.parse(text)
    helpers = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name != "f"]
    assert len(helpers) == 1
    params = {a.arg for a in helpers[0].args.args}
    assert params and "w" not in params  # a comprehension's own name is not passed


def test_reorder_swaps_only_independent_neighbours():
    seen = {rewritten(SAMPLE, rewrites.reorder, seed=s) for s in range(30)}
    bodies = {tuple(ast.unparse(s) for s in ast.parse(t).body[1].body[1:]) for t in seen}
    original = tuple(ast.unparse(s) for s in ast.parse(textwrap.dedent(SAMPLE)).body[1].body[1:])
    swaps = {
        tuple(i for i, (a, b) in enumerate(zip(b, original, strict=True)) if a != b) for b in bodies
    }
    # total/size; size and table depend on each other, return never moves; the two guards
    # raise different types, so an input both refuse (no words, k < 0) would change type
    assert swaps == {(5, 6)}


def test_reorder_swaps_guards_that_raise_the_same_type():
    source = SAMPLE.replace('TypeError("words")', 'ValueError("words")')
    seen = {rewritten(source, rewrites.reorder, seed=s) for s in range(30)}
    firsts = {ast.unparse(ast.parse(t).body[1].body[1].test) for t in seen}
    assert firsts == {"k < 0", "not words"}


def test_dict_subclass_and_extra_entries_and_a_class():
    sub = rewritten(SAMPLE, rewrites.dict_subclass)
    assert "OrderedDict(" in sub or "_ReturnedDict(" in sub
    assert rewritten(SAMPLE, rewrites.extra_entries) is None  # not declared for f
    extra = rewritten(SAMPLE, rewrites.extra_entries, extra=frozenset({"f"}))
    assert "extra_" in extra
    wrapped = rewritten(SAMPLE, rewrites.wrap_in_class)
    assert "class _Solution" in wrapped and "return _Solution().solve(words, k)" in wrapped


@settings(max_examples=40, deadline=None)
@example(words=[], k=-1, seed=1, chosen=[rewrites.reorder])  # both guards refuse this input
@given(
    words=st.lists(st.sampled_from("abcde"), max_size=12),
    k=st.integers(-1, 4),
    seed=st.integers(0, 1000),
    chosen=st.lists(st.sampled_from(rewrites.GENERIC), min_size=1, max_size=4),
)
def test_any_chain_of_rewrites_computes_what_the_original_does(words, k, seed, chosen):
    original = textwrap.dedent(SAMPLE)
    text = original
    for rewrite in chosen:
        text = rewritten(text, rewrite, seed, extra=frozenset({"f"})) or text

    def outcome(source):
        try:
            return "ok", run_f(source, list(words), k)
        except (ValueError, TypeError) as error:
            return type(error).__name__, None

    kind, value = outcome(original)
    got_kind, got = outcome(text)
    assert got_kind == kind
    if kind == "ok":
        assert {key: got[key] for key in value} == value  # extra entries aside
        assert isinstance(got, dict)


# -- the assignment's rewrites ---------------------------------------------------------------


def softmax_copy(tmp_path: Path, rewrites: str) -> Path:
    """The softmax assignment with ``rewrites`` as its equivalent-variants file."""
    folder = tmp_path / "softmax"
    shutil.copytree(SOFTMAX, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "reference" / "hidden_tests" / "variants.toml").write_text(rewrites)
    rubric = folder / "assignment" / "rnnlab.toml"
    text = rubric.read_text().replace(
        'hidden_tests = "../reference/hidden_tests"\n',
        'hidden_tests = "../reference/hidden_tests"\n'
        'equivalent_variants = "../reference/hidden_tests/variants.toml"\n',
    )
    rubric.write_text(text)
    return rubric


NOT_EQUIVALENT = """
[[rewrite]]
function = "softmax"
name = "a sum over the whole batch"
find = "return e / e.sum(axis=1, keepdims=True)"
replace = "return e / e.sum()"
reason = "none: this one is wrong, and must be caught"
"""


@pytest.mark.parametrize(
    "text, problem",
    [
        (NOT_EQUIVALENT.replace('"softmax"', '"nope"'), "is no graded function"),
        (NOT_EQUIVALENT.replace("keepdims=True)", "keepdims=False)"), "occurs 0 times"),
        (NOT_EQUIVALENT.replace('reason = "none', 'because = "none'), "lacks ['reason']"),
        ('extra_entries = ["softmax", "missing"]', "names no graded function: ['missing']"),
    ],
)
def test_a_bad_rewrites_file_is_refused_with_the_entry(tmp_path, text, problem):
    assignment = manifest.load(softmax_copy(tmp_path, text))
    with pytest.raises(VariantError, match="variants.toml") as error:
        variants.load_rewrites(assignment)
    assert problem in str(error.value)


def test_a_rewrite_that_is_not_equivalent_is_graded_unfair_and_the_command_fails(
    tmp_path, own_assignment
):
    rubric = softmax_copy(tmp_path, NOT_EQUIVALENT)
    assignment = manifest.load(rubric)
    found = variants.generate(assignment=assignment, per_question=4)
    wrong = [v for v in found if v.rewrites == ("a sum over the whole batch",)]
    assert len(wrong) == 1
    [result] = variants.run(wrong, assignment=assignment)
    assert result.status == "unfair" and result.graded.failed
    assert main(["--assignment", str(rubric), "variants", "-q", "softmax_forward"]) == 1


def test_the_lab_declares_rewrites_for_every_question():
    declared = variants.load_rewrites(LAB)
    functions = {f: q.id for q in LAB.questions for f in q.functions}
    assert {functions[r.function] for r in declared.rewrites} == {q.id for q in LAB.questions}
    assert declared.extra_entries == {"build_graph"}


def test_generation_is_deterministic_and_reaches_200_variants():
    first, second = variants.generate(assignment=LAB), variants.generate(assignment=LAB)
    assert [v.id for v in first] == [v.id for v in second]
    assert len(first) >= 200
    assert {v.question for v in first} == {q.id for q in LAB.questions}
    for variant in first:
        compile(variant.source, variant.id, "exec")


# -- the lab's variants, graded --------------------------------------------------------------

SAMPLE_SIZE = 14
"""Two a question in the default suite; the slow test grades them all."""


def unfair(results) -> list[str]:
    return [
        f"{r.variant.id} {r.variant.description}: {r.graded.failed}"
        for r in results
        if r.status != "kept"
    ]


def test_a_sample_of_the_labs_variants_graded_keeps_every_point():
    picked = variants.sample(variants.generate(assignment=LAB), SAMPLE_SIZE, seed=0)
    assert unfair(variants.run(picked, assignment=LAB)) == []


@pytest.mark.slow
def test_every_variant_of_the_lab_graded_keeps_every_point():
    assert unfair(variants.run(variants.generate(assignment=LAB), assignment=LAB)) == []
