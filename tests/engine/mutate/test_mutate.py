"""Mutation testing of the grader: the operators, the mutants, and what the tests make of them.

The grading tests have "mutant" in their names: ``pytest -k mutant`` runs them.
"""

import ast
import io
import json
import textwrap

import pytest
from rich.console import Console

from autograder import mutate
from autograder.cli import parser
from autograder.formats.manifest import current as current_assignment
from autograder.mutate.grading import Graded, classify
from autograder.mutate.mutants import Mutant, function_mutants

LAB = current_assignment()


SAMPLE_SEED = 2
"""The 40-mutant sample's: its lstm_graph mutants take ~5 s each (seed 0 draws one of ~60 s)."""
NUMPY = [q for q in LAB.questions if q.profile != "tensorflow"]


def variants(body: str, operator: str, params: str = "x, y", header: str = "") -> set[str]:
    """The bodies ``operator`` makes of ``def f(params): body`` (unparsed, one string each)."""
    source = header + f"def f({params}):\n" + textwrap.indent(textwrap.dedent(body), "    ")
    found = set()
    for m in function_mutants(source, "f", question="q", module="m"):
        if m.operator == operator:
            function = ast.parse(m.function_source).body[0]
            found.add("\n".join(ast.unparse(s) for s in function.body))
    return found


# -- the operators, on snippets -------------------------------------------------------------


def test_arithmetic_swaps_operators_with_their_partners():
    assert variants("return x + y", "arithmetic") == {"return x - y", "return x * y"}
    assert variants("return x // y", "arithmetic") == {"return x / y", "return x * y"}
    assert variants("return x ** y", "arithmetic") == {"return x * y"}
    assert variants("return x @ y", "arithmetic") == {"return x * y"}
    assert variants("x += y\nreturn x", "arithmetic") == {"x -= y\nreturn x", "x *= y\nreturn x"}
    assert variants("return -x", "arithmetic") == {"return x"}
    assert variants("return -1", "arithmetic") == set()  # a constant: constant's job


def test_comparison_swaps_neighbours_and_negations():
    assert variants("return x < y", "comparison") == {"return x <= y", "return x > y"}
    assert variants("return x == y", "comparison") == {"return x != y"}
    assert variants("return x is None", "comparison") == {"return x is not None"}
    assert variants("return x not in y", "comparison") == {"return x in y"}


def test_boolean_swaps_and_or_and_drops_not():
    assert variants("return x and y", "boolean") == {"return x or y"}
    assert variants("return not x", "boolean") == {"return x"}


def test_constant_moves_ints_by_one_and_scales_floats():
    assert variants("return x + 3", "constant") == {"return x + 4", "return x + 2"}
    assert variants("return x * 0.5", "constant") == {"return x * 1.0", "return x * 0.25"}
    assert variants("return x + 0.0", "constant") == {"return x + 1.0"}
    assert variants("return x - -1", "constant") == {"return x - 0", "return x - -2"}
    assert variants("return x is True", "constant") == set()


def test_slice_bounds_move_by_one_or_go():
    assert variants("return x[1:y]", "slice_bound") == {
        "return x[2:y]",
        "return x[0:y]",
        "return x[:y]",
        "return x[1:y + 1]",
        "return x[1:y - 1]",
        "return x[1:]",
    }


def test_reverse_adds_or_removes_a_reversal():
    assert variants("return x[::-1]", "reverse") == {"return x"}
    assert variants("return x[:y]", "reverse") == {"return x[:y][::-1]"}
    assert variants("for i in x:\n    y(i)", "reverse") == {"for i in x[::-1]:\n    y(i)"}
    assert variants("return [i for i in x]", "reverse") == {"return [i for i in x[::-1]]"}


def test_drop_statement_keeps_the_docstring():
    body = '"""Doc."""\ny = x\nreturn y'
    assert variants(body, "drop_statement") == {"'Doc.'\npass\nreturn y", "'Doc.'\ny = x\npass"}


def test_call_to_argument_keeps_the_first_argument_or_the_receiver():
    assert variants("return g(x, y)", "call_to_argument") == {"return x"}
    assert variants("return x.strip()", "call_to_argument") == {"return x"}
    # A module's attribute is no receiver anyone would keep: tf.Graph() -> tf is no slip.
    assert variants("return tf.Graph()", "call_to_argument", header="import tf\n") == set()


def test_swap_arguments_swaps_neighbours():
    assert variants("return g(x, y, 1)", "swap_arguments") == {
        "return g(y, x, 1)",
        "return g(x, 1, y)",
    }
    assert variants("return g(x, *y)", "swap_arguments") == set()


def test_parameter_default_replaces_uses_of_the_parameter():
    assert variants("return x + y", "parameter_default", params="x, y=2") == {"return x + 2"}
    assert variants("return x + y", "parameter_default", params="x, *, y=None") == {
        "return x + None"
    }


def test_swap_function_uses_the_table():
    assert variants("return np.max(x)", "swap_function") == {"return np.min(x)"}
    assert variants("return x.sum(axis=1)", "swap_function") == {"return x.mean(axis=1)"}
    assert variants("return min(x, y)", "swap_function") == {"return max(x, y)"}
    assert variants("return tf.round(x)", "swap_function", header="import tf\n") == {
        "return tf.floor(x)",
        "return tf.ceil(x)",
        "return tf.cast(x)",
    }
    assert variants("return f(x, activation=tf.sigmoid)", "swap_function") == {
        "return f(x, activation=tf.tanh)"
    }
    assert variants("return np.tanh(x)", "swap_function") == set()  # numpy has no sigmoid


def test_index_swap_swaps_first_and_last():
    assert variants("return x[-1]", "index_swap") == {"return x[0]"}
    assert variants("return x[:, 0]", "index_swap") == {"return x[:, -1]"}
    assert variants("x[0] = y", "index_swap") == {"x[-1] = y"}


def test_a_description_names_the_operator_and_shows_a_number_in_its_expression():
    source = "def f(x, y):\n    return x[1:y] + 2\n"
    found = {m.description for m in function_mutants(source, "f", question="q", module="m")}
    assert "constant: `x[1:y] + 2` -> `x[1:y] + 3` (m.py:2)" in found
    assert "slice_bound: `x[1:y]` -> `x[1:y + 1]` (m.py:2)" in found


def test_only_the_solution_block_is_mutated_and_the_diff_is_of_the_real_lines():
    source = textwrap.dedent(
        """\
        def f(x):
            y = x + 1  # provided
            # BEGIN SOLUTION
            z = y * 2  # the student's
            # END SOLUTION
            return z
        """
    )
    mutants = function_mutants(source, "f", question="q", module="m")
    assert mutants and {m.line for m in mutants} == {4}
    times = next(m for m in mutants if m.operator == "arithmetic")
    changed = [line for line in times.diff.splitlines() if line[:1] in "+-"]
    assert changed[2:] == ["-    z = y * 2  # the student's", "+    z = y / 2  # the student's"]
    assert "# BEGIN SOLUTION" in times.source


# -- the mutants of the reference -------------------------------------------------------------


@pytest.fixture(scope="module")
def all_mutants() -> list[Mutant]:
    return mutate.generate()


def test_the_seven_questions_give_at_least_300_distinct_programs(all_mutants):
    assert len(all_mutants) >= 300
    assert {m.question for m in all_mutants} == {q.id for q in LAB.questions}
    assert len({m.id for m in all_mutants}) == len(all_mutants)
    for m in all_mutants:
        tree = ast.parse(m.source)  # every mutant is a module that compiles ...
        compile(tree, m.module, "exec")
        function = next(n for n in tree.body if getattr(n, "name", None) == m.function)
        assert ast.unparse(function) == m.function_source  # ... with the one change in place
        assert m.operator in m.description and m.diff.startswith("--- a/reference/")


def test_each_change_belongs_to_the_question_that_grades_its_function(all_mutants):
    for m in all_mutants:
        assert m.function in LAB.question(m.question).functions


def test_every_listed_equivalent_mutant_is_still_generated(all_mutants):
    """An id is a hash of its function's code: editing a function (its docstring too)
    makes its entries stale, and their mutants come back as survivors of the slow run."""
    stale = set(mutate.load_equivalent()) - {m.id for m in all_mutants}
    assert not stale, f"entries in equivalent_mutants.toml no mutant has any more: {stale}"


def test_generation_and_sampling_are_deterministic(all_mutants):
    assert [m.id for m in mutate.generate()] == [m.id for m in all_mutants]
    first = mutate.sample(all_mutants, 40, seed=3)
    assert [m.id for m in mutate.sample(all_mutants, 40, seed=3)] == [m.id for m in first]
    assert [m.id for m in mutate.sample(all_mutants, 40, seed=4)] != [m.id for m in first]


def test_a_sample_is_spread_over_the_questions(all_mutants):
    picked = mutate.sample(all_mutants, 21, seed=0)
    assert len(picked) == 21
    assert {q.id: sum(m.question == q.id for m in picked) for q in LAB.questions} == {
        q.id: 3 for q in LAB.questions
    }
    assert mutate.sample(all_mutants, None) == all_mutants


def test_classification():
    m = Mutant("abc", "rnn_forward", "rnn", "rnn_loss", "constant", "", 1, "", "", "")
    full = {"rnn_forward": 20.0, "rnn_backward": 24.0}

    def status(scores, errors=(), equivalent=None):
        graded = Graded(scores, full, grader_errors=list(errors))
        return classify(m, graded, equivalent or {}).status

    assert status(full) == "survived"
    assert status(full, equivalent={"abc": "why"}) == "equivalent"
    assert status({**full, "rnn_forward": 18.0}) == "killed"
    assert status({"rnn_forward": 0.0, "rnn_backward": 0.0}) == "killed"
    assert status({**full, "rnn_backward": 21.0}) == "leak"
    assert status({**full, "rnn_forward": 0.0}, errors=["Traceback ..."]) == "grader-fault"


def test_the_report_and_the_json_show_every_status(all_mutants):
    splits = [m for m in all_mutants if m.question == "splits"][:4]
    full = {"splits": 10.0}
    gradings = [
        Graded({"splits": 0.0}, full, ["splits: 20,000 / 2,500 / 2,500"]),
        Graded(full, full),
        Graded(full, full),
        Graded({"splits": 0.0}, full, grader_errors=["Traceback ...\nKeyError: 'x'"]),
    ]
    known = {splits[2].id: "changes nothing"}
    results = [classify(m, g, known) for m, g in zip(splits, gradings, strict=True)]
    assert [r.status for r in results] == ["killed", "survived", "equivalent", "grader-fault"]
    out = io.StringIO()
    mutate.print_report(splits, results, Console(file=out, width=80), 12.0)
    text = out.getvalue()
    assert splits[1].id in text and splits[3].id in text and "KeyError" in text
    assert splits[0].id not in text  # the killed are only counted
    data = json.loads(json.dumps(mutate.as_json(splits, results, seed=0)))
    assert data["questions"]["splits"]["survived"] == 1
    assert data["questions"]["splits"]["kill_rate"] == 0.5
    assert data["mutants"][2]["reason"] == "changes nothing"


def test_the_equivalent_file_reads(tmp_path):
    known = mutate.load_equivalent()
    assert all(reason.strip() for reason in known.values())
    path = tmp_path / "equivalent.toml"
    path.write_text('[[mutant]]\nid = "abc"\nreason = "dead code"\n')
    assert mutate.load_equivalent(path) == {"abc": "dead code"}


def test_the_cli_knows_mutate():
    args = parser().parse_args(["mutate", "-q", "splits", "-n", "5", "--seed", "2"])
    assert (args.question, args.n, args.seed, args.workers) == (["splits"], 5, 2, None)


# -- grading mutants ----------------------------------------------------------------------------


def assert_no_fault_leak_or_unexplained_survivor(results: list[mutate.Result]) -> None:
    def listing(status: str, with_errors: bool = False) -> str:
        lines = []
        for r in results:
            if r.status == status:
                lines += [
                    f"{r.mutant.id} {r.mutant.question}: {r.mutant.description}",
                    r.mutant.diff,
                ]
                if with_errors:
                    lines += [e[-1500:] for e in r.graded.grader_errors]
        return "\n".join(lines)

    statuses = [r.status for r in results]
    assert "grader-fault" not in statuses, "grader faults:\n" + listing("grader-fault", True)
    assert "leak" not in statuses, "killed only on another question:\n" + listing("leak")
    assert "survived" not in statuses, (
        "survivors that are not in reference/hidden_tests/equivalent_mutants.toml: add a test "
        "that kills each, or list it there with the reason it is equivalent:\n"
        + listing("survived")
    )


def test_a_fixed_sample_of_40_mutants_is_killed_or_known_equivalent():
    # 37 over the six numpy questions, 3 of lstm_graph (a graph costs 5-60 s): ~45 s on 2 cores.
    picked = mutate.sample(mutate.generate(NUMPY), 37, SAMPLE_SEED) + mutate.sample(
        mutate.generate([LAB.question("lstm_graph")]), 3, SAMPLE_SEED
    )
    assert len(picked) == 40
    assert_no_fault_leak_or_unexplained_survivor(mutate.run(picked))


@pytest.mark.slow
def test_a_larger_sample_of_mutants_is_killed_or_known_equivalent():
    """The slow suite's sample: 140 of the numpy questions' mutants (about a third) and 10 of
    lstm_graph's, drawn apart from the fast suite's. Every mutant (503, 75 of them graphs at
    5-60 s each) is ``rnnlab mutate``'s, run by hand (docs/pages/authoring.md)."""
    numpy, graphs = mutate.generate(NUMPY), mutate.generate([LAB.question("lstm_graph")])
    assert len(numpy) + len(graphs) >= 300
    picked = mutate.sample(numpy, 140, SAMPLE_SEED + 1) + mutate.sample(graphs, 10, SAMPLE_SEED + 1)
    assert_no_fault_leak_or_unexplained_survivor(mutate.run(picked))
