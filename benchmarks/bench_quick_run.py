"""The notebook's quick run of part 2, on the reference, over several seeds: what it reaches.

The run is the kit notebook's own code: its code cells (not the ``grader.check`` cells nor
the export), executed by a Jupyter kernel in a folder holding the reference's modules, the
kit's ``get_data.py`` and the real data (copied from ``--data``, or downloaded, and checked
against their sha256). Each seed is one run, with ``SEED = <seed>`` set after the sizes
cell; ``--again`` runs one seed a second time, to see whether a seed repeats its numbers.
Each run reports the validation accuracy of every epoch, the test accuracy of the best
checkpoint and the training's seconds.

``--record`` writes the results to ``assignment/quick_run.json``: the notebook and the
kit's README state the range observed from it (``assignment/notebook.py``), and a test
checks that it was measured with the sizes the notebook has now.

    python benchmarks/bench_quick_run.py [--data FOLDER] [--seeds 0 1 2 3 4] [--again 0]
        [--set NAME=VALUE ...] [--record]

``--set EPOCHS=1`` and the like change a size of the sizes cell (a quicker try); a run with
``--set`` is never recorded.
"""

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The lab's packages are the repository's folders: the engine installs none of them.
sys.path[:0] = [str(HERE.parent)]

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from autograder import ROOT  # noqa: E402
from autograder.formats.manifest import current as current_assignment  # noqa: E402
from autograder.kit.notebook import NOTEBOOK, lab_notebook, student_side  # noqa: E402
from data import sentiment  # noqa: E402

RECORD = ROOT / "assignment" / "quick_run.json"
MARK = "QUICK_RUN "
REPORT = f"""\
import json as _json
print({MARK!r} + _json.dumps({{
    "val_acc": [float(h["val_acc"]) for h in history],
    "train_loss": [float(h["train_loss"]) for h in history],
    "test_acc": float(test_acc),
    "train_seconds": float(sum(h["seconds"] for h in history)),
}}))
"""
"""The last cell: what the run reached, as one line the benchmark reads back."""


def sizes_cell(notebook: nbformat.NotebookNode) -> int:
    """The index of the cell that holds the run's sizes (the one that sets ``SEED``)."""
    found = [i for i, c in enumerate(notebook.cells) if c.source.lstrip().startswith("SINE_EPOCHS")]
    assert len(found) == 1 and "SEED = " in notebook.cells[found[0]].source, "no sizes cell"
    return found[0]


def sizes(notebook: nbformat.NotebookNode) -> dict:
    """The sizes cell's values (it is plain assignments) but ``SEED``, which the runs vary."""
    values: dict = {}
    exec(notebook.cells[sizes_cell(notebook)].source, {}, values)  # our own notebook's cell
    values.pop("SEED")
    return values


def run_notebook(base: nbformat.NotebookNode, folder: Path, lines: list[str]) -> dict:
    """Execute the notebook's code with ``lines`` after its sizes cell; what it reached."""
    notebook = nbformat.from_dict(json.loads(json.dumps(base)))
    notebook.cells.insert(sizes_cell(notebook) + 1, nbformat.v4.new_code_cell("\n".join(lines)))
    notebook.cells.append(nbformat.v4.new_code_cell(REPORT))
    shutil.rmtree(folder / "checkpoints", ignore_errors=True)
    started = time.perf_counter()
    NotebookClient(
        notebook, timeout=3600, kernel_name="python3", resources={"metadata": {"path": folder}}
    ).execute()
    seconds = time.perf_counter() - started
    said = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    result = json.loads(said.split(MARK, 1)[1].splitlines()[0])
    return {**result, "notebook_seconds": seconds}


def prepare(folder: Path, data: Path | None) -> nbformat.NotebookNode:
    """The reference's modules, the kit's files, the checked data and the notebook's code
    cells in ``folder``; the notebook (``grader.check`` and export cells left out)."""
    lab = current_assignment()
    side = student_side(lab)
    for module in lab.modules:
        shutil.copy(lab.reference / f"{module}.py", folder / f"{module}.py")
    for path in side.kit_files:
        shutil.copy(path, folder / path.name)
    if data is None:
        sentiment.fetch(sentiment.DEFAULT_DIR)  # downloads and checks them, unless there
        data = sentiment.DEFAULT_DIR
    sentiment.fetch(folder / "data", source=data)  # copies and checks them
    notebook = lab_notebook(lab, side)
    nbformat.write(notebook, folder / NOTEBOOK)  # otter.Notebook reads it
    notebook.cells = [
        c
        for c in notebook.cells[:-1]  # the last one is the export
        if c.cell_type == "code" and not c.source.startswith("grader.check(")
    ]
    return notebook


def line(seed: int, run: dict) -> str:
    vals = " ".join(f"{v:.3f}" for v in run["val_acc"])
    return (
        f"  seed {seed}: validation by epoch {vals}; best {max(run['val_acc']):.3f}, "
        f"test {run['test_acc']:.3f}; training {run['train_seconds']:.0f} s, "
        f"notebook {run['notebook_seconds']:.0f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="a folder with reviews.txt, labels.txt")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--again", type=int, nargs="*", default=[0], help="seeds run twice")
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE")
    parser.add_argument("--record", action="store_true", help=f"write {RECORD.name}")
    args = parser.parse_args()
    if args.record and args.set:
        parser.error("a run with --set is not the notebook's quick run: it is never recorded")

    with tempfile.TemporaryDirectory(prefix="quick-run-") as scratch:
        folder = Path(scratch)
        notebook = prepare(folder, args.data)
        changed = dict(s.split("=", 1) for s in args.set)
        measured = {**sizes(notebook), **{k: eval(v) for k, v in changed.items()}}  # ours
        print(f"the notebook's quick run on the reference: {measured}", flush=True)
        runs, again = {}, {}
        for seed in [*args.seeds, *args.again]:
            lines = [*args.set, f"SEED = {seed}"]
            result = run_notebook(notebook, folder, lines)
            (again if seed in runs else runs)[seed] = result
            print(line(seed, result), flush=True)
    best = [max(r["val_acc"]) for r in runs.values()]
    test = [r["test_acc"] for r in runs.values()]
    print(f"best validation {min(best):.3f} to {max(best):.3f}", end=", ")
    print(f"test {min(test):.3f} to {max(test):.3f}")
    for seed, result in again.items():
        same = all(result[k] == runs[seed][k] for k in ("val_acc", "train_loss", "test_acc"))
        print(f"seed {seed} again: {'the same numbers' if same else 'DIFFERENT numbers'}")
    if args.record:
        import tensorflow as tf

        record = {
            "date": datetime.date.today().isoformat(),
            "command": "python benchmarks/bench_quick_run.py " + " ".join(sys.argv[1:]),
            "tensorflow": tf.__version__,
            "cpus": os.cpu_count(),
            "sizes": sizes(notebook),
            "runs": {str(seed): r for seed, r in runs.items()},
            "again": {str(seed): r for seed, r in again.items()},
        }
        RECORD.write_text(json.dumps(record, indent=2) + "\n")
        print(f"recorded in {RECORD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
