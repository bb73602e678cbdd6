"""Peak memory of a grading run as a container's limit counts it: does it fit Gradescope's?

Runs a command (default: ``rnnlab grade reference -q``) in a new memory cgroup
(``autograder.sandbox.footprint``: root, or a delegated cgroup v2 subtree) and prints:

- **the working set**: the most the cgroup used at once, less the page cache's inactive
  files, which the kernel drops before it kills anything. The figure to hold against a
  container's limit (Gradescope's default is 768 MB), as ``docker stats`` counts it;
- **the peak**: the kernel's high-water mark, page cache included: it grows with a cold
  cache and with room to spare, and is no measure of need;
- with ``--limits``, the same run inside each limit: its score, the processes the kernel
  killed, and the grader errors (a container too small is never charged to the student).

    python benchmarks/peak_memory.py                                # rnnlab grade reference
    python benchmarks/peak_memory.py --limits 384 512 640 768       # the smallest that holds
    python benchmarks/peak_memory.py -- python -m otter run -a dist/autograder.zip sub.zip

``rnnlab build`` measures the otter path this way itself (``autograder.kit.sizing``).
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from autograder.sandbox.footprint import measure

ROOT = Path(__file__).resolve().parent.parent


def results(path: Path) -> str:
    """The score and the grader errors a results.json holds."""
    if not path.is_file():
        return "no results.json"
    data = json.loads(path.read_text())
    errors = sum("grader error" in t.get("output", "") for t in data["tests"])
    return f"score {data['score']:g}, {errors} grader errors"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", type=int, nargs="*", default=[], help="limits to try, in MB")
    parser.add_argument("command", nargs="*", help="the command to measure, after '--'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "results.json"
        default = [sys.executable, "-m", "autograder.cli", "grade", "reference", "-q", "-o"]
        command = args.command or [*default, str(output)]
        print(f"command: {' '.join(command)}")
        for limit in [None, *args.limits]:
            output.unlink(missing_ok=True)
            found = measure(command, cwd=ROOT, limit_mb=limit)
            if found is None:
                print("no memory cgroup can be made here: run as root")
                return 1
            where = "no limit" if limit is None else f"limit {limit} MB"
            graded = "" if args.command else f", {results(output)}"
            print(
                f"{where:>14}: working set {found.working_set_mb} MB, peak {found.peak_mb} MB, "
                f"{found.kills} killed, exit {found.returncode}, {found.seconds:.0f} s{graded}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
