"""What grading costs, against the floor: a bare ``python -c "import tensorflow"``.

In one run, interleaved so a busy machine slows all alike, the best of
``--rounds`` wall times of:

- ``import tensorflow`` in a fresh Python (the floor of anything that grades a graph);
- ``rnnlab grade reference`` (all 7 questions, 72 tests, in sandboxes);
- ``rnnlab check reference`` on the six numpy questions (the students' quick check);
- one sandbox: start, import a module, one call, stop; against a plain
  ``python -c "import numpy"`` (what any separate process costs).

Both rnnlab commands run warm (sandboxes forked from a zygote, the default) and cold
(``RNNLAB_WARM=0``: each sandbox a new Python). Targets on 2 cores (issue 12): warm
grade within 1.2x the bare import, the warm numpy check within 0.5 s.

    python benchmarks/bench_grade.py [--rounds 3]
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from autograder.formats import manifest

ROOT = Path(__file__).resolve().parent.parent
NUMPY_QUESTIONS = [q.id for q in manifest.current().questions if q.profile == "numpy"]
SANDBOX_ONCE = """
from pathlib import Path
from autograder.sandbox import Sandbox
with Sandbox(Path("reference")) as box:
    box.import_module("splits", timeout=30)
    box.call("splits", "split_data", ([1, 2, 3, 4], [0, 1, 0, 1], 0.5), timeout=30)
"""


def wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env={**os.environ, **env})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    rnnlab = [python, "-m", "autograder.cli"]
    grade = [*rnnlab, "grade", "reference", "-q"]
    check = [*rnnlab, "check", "reference", *[a for q in NUMPY_QUESTIONS for a in ("-q", q)]]
    warm, cold = {"RNNLAB_WARM": "1"}, {"RNNLAB_WARM": "0"}
    commands = {
        "import tensorflow": ([python, "-c", "import tensorflow"], {}),
        "rnnlab grade reference": (grade, warm),
        "rnnlab grade reference (cold)": (grade, cold),
        "rnnlab check (numpy questions)": (check, warm),
        "rnnlab check (numpy, cold)": (check, cold),
        "python -c 'import numpy'": ([python, "-c", "import numpy"], {}),
        "one sandbox, one call": ([python, "-c", SANDBOX_ONCE], cold),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, (command, env) in commands.items():
            times[name].append(wall(command, env))
    best = {name: min(values) for name, values in times.items()}
    for name, seconds in best.items():
        print(f"  {name:32s} {seconds:6.2f} s (best of {args.rounds})")
    floor = best["import tensorflow"]
    grade_ratio = best["rnnlab grade reference"] / floor
    cold_ratio = best["rnnlab grade reference (cold)"] / floor
    check = best["rnnlab check (numpy questions)"]
    sandbox_cost = best["one sandbox, one call"] - best["python -c 'import numpy'"]
    print(
        f"grade / bare TensorFlow import: {grade_ratio:.2f}x warm, {cold_ratio:.2f}x cold "
        "(target 1.2x)"
    )
    print(f"numpy check: {check:.2f} s warm (target 0.5 s)")
    print(f"a cold sandbox costs {sandbox_cost:.2f} s more than a plain numpy process")
    ok = grade_ratio <= 1.2 and check <= 0.5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
