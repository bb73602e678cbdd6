"""What the notebook and the kit's README say of the quick run is what was measured.

``benchmarks/bench_quick_run.py --record`` runs the notebook's own code on the reference over
several seeds and writes ``assignment/quick_run.json``; ``assignment/notebook.py`` states the
range observed from that file (``QUICK_RUN``) in the notebook and the README. These check the
record is of the notebook's current sizes, that a seed repeated its numbers, and that the text
says the range, rounded so that it never claims more than a run reached; and that the notebook
says only the modules are graded.
"""

import importlib.util
import re
import sys
from pathlib import Path

from autograder import ROOT
from autograder.formats.manifest import current as current_assignment
from autograder.kit.build import kit_readme
from autograder.kit.notebook import lab_notebook

LAB = current_assignment()


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


NOTEBOOK_FILE = load("rnnlab_lab_notebook", ROOT / "assignment" / "notebook.py")
BENCH = load("rnnlab_bench_quick_run", ROOT / "benchmarks" / "bench_quick_run.py")
MEASURED = NOTEBOOK_FILE.MEASURED


def test_the_record_is_of_the_notebook_s_quick_run_over_five_seeds_or_more():
    notebook = lab_notebook(LAB)
    assert MEASURED["sizes"] == BENCH.sizes(notebook), "sizes changed: run the benchmark again"
    assert len(MEASURED["runs"]) >= 5
    for run in MEASURED["runs"].values():
        assert len(run["val_acc"]) == MEASURED["sizes"]["EPOCHS"]
        assert 0 < run["test_acc"] < 1


def test_a_seed_run_again_gave_the_same_numbers():
    """The notebook says the same SEED gives the same numbers: the record ran one twice."""
    assert MEASURED["again"]
    for seed, again in MEASURED["again"].items():
        first = MEASURED["runs"][seed]
        assert [again[k] for k in ("val_acc", "train_loss", "test_acc")] == [
            first[k] for k in ("val_acc", "train_loss", "test_acc")
        ]


def test_the_notebook_and_the_readme_state_the_range_observed():
    said = NOTEBOOK_FILE.QUICK_RUN
    assert said == NOTEBOOK_FILE.quick_run(MEASURED)
    assert f"over {len(MEASURED['runs'])} seeds" in said
    cells = lab_notebook(LAB).cells
    sizes = BENCH.sizes_cell(lab_notebook(LAB))
    assert said in cells[sizes - 1].source  # the sizes cell's text
    training = [c for c in cells if c.source.startswith("### Training the LSTM")]
    assert len(training) == 1 and said in training[0].source
    assert said in kit_readme(LAB)
    # No other accuracy of the quick run is promised: the sizes and training texts say only
    # the range, and the full run's numbers.
    for text in (cells[sizes - 1].source, training[0].source):
        rest = text.replace(said, "")
        assert set(re.findall(r"0\.\d+", rest)) <= {"0.83", "0.81", "0.78", "0.5"}, rest


def test_the_range_is_rounded_down_so_it_never_says_more_than_a_run_reached():
    measured = {
        "date": "2026-01-02",
        "runs": {
            "0": {"val_acc": [0.5, 0.7759], "test_acc": 0.7199, "train_seconds": 41.5},
            "1": {"val_acc": [0.6601, 0.6], "test_acc": 0.7001, "train_seconds": 53.2},
        },
    }
    said = NOTEBOOK_FILE.quick_run(measured)
    assert "over 2 seeds" in said
    assert "best validation accuracy was 0.66 to 0.77" in said
    assert "test accuracy of that checkpoint 0.70 to 0.71" in said
    assert "training took 41 to 54 seconds" in said and "2026-01-02" in said


def test_the_notebook_says_only_the_modules_are_graded():
    cells = lab_notebook(LAB).cells
    assert cells[-2].source.startswith("## Submitting")
    assert "only your modules are graded" in cells[-2].source.lower()
    assert "nbconvert" in cells[-2].source
    assert cells[-1].source.startswith("# Only your modules are graded")  # the export cell
