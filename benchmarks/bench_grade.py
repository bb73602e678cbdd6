"""What grading costs, against the floor: a bare ``python -c "import tensorflow"``.

In one run, interleaved so a busy machine slows all alike, the best of
``--rounds`` wall times of:

- ``import tensorflow`` in a fresh Python (the floor of anything that grades a graph);
- ``rnnlab grade reference`` (all 7 questions, 72 tests, in sandboxes);
- ``rnnlab check reference`` on the six numpy questions (the students' quick check);
- one sandbox: start, import a module, one call, stop; against a plain
  ``python -c "import numpy"`` (what any separate process costs).

Targets on 2 cores: grade within 3x the bare import, the numpy check within 2 s.

    python benchmarks/bench_grade.py [--rounds 3]
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

from autograder import manifest

ROOT = Path(__file__).resolve().parent.parent
NUMPY_QUESTIONS = [q.id for q in manifest.current().questions if q.profile == "numpy"]
SANDBOX_ONCE = """
from pathlib import Path
from autograder.sandbox import Sandbox
with Sandbox(Path("reference")) as box:
    box.import_module("splits", timeout=30)
    box.call("splits", "split_data", ([1, 2, 3, 4], [0, 1, 0, 1], 0.5), timeout=30)
"""


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    rnnlab = [python, "-m", "autograder.cli"]
    commands = {
        "import tensorflow": [python, "-c", "import tensorflow"],
        "rnnlab grade reference": [*rnnlab, "grade", "reference", "-q"],
        "rnnlab check (numpy questions)": [
            *rnnlab,
            "check",
            "reference",
            *[a for q in NUMPY_QUESTIONS for a in ("-q", q)],
        ],
        "python -c 'import numpy'": [python, "-c", "import numpy"],
        "one sandbox, one call": [python, "-c", SANDBOX_ONCE],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, command in commands.items():
            times[name].append(wall(command))
    best = {name: min(values) for name, values in times.items()}
    for name, seconds in best.items():
        print(f"  {name:32s} {seconds:6.2f} s (best of {args.rounds})")
    grade_ratio = best["rnnlab grade reference"] / best["import tensorflow"]
    sandbox_cost = best["one sandbox, one call"] - best["python -c 'import numpy'"]
    print(f"grade / bare TensorFlow import: {grade_ratio:.2f}x (target 3x)")
    print(f"numpy check: {best['rnnlab check (numpy questions)']:.2f} s (target 2 s)")
    print(f"a sandbox costs {sandbox_cost:.2f} s more than a plain numpy process")
    ok = grade_ratio <= 3 and best["rnnlab check (numpy questions)"] <= 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
