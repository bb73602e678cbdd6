"""A class of 40: ``rnnlab grade-all`` with 1 and 2 workers, against a bare TensorFlow import.

The class is copies of the reference and of the framework's buggy submissions.
In one run: the best of three bare ``python -c "import tensorflow"``; the
batch with ``--workers 1`` and with ``--workers 2`` (mean wall time per
submission); and ``otter run`` with the built ``autograder.zip`` beside
``rnnlab grade`` on the same reference submission (the notebook's export).
Target (issue 12): with 2 workers on 2 cores, at most 0.5x the bare import per submission.

``--dask`` times instead the same class with ``--workers 2`` beside ``--scheduler`` on a
local Dask cluster (a ``dask scheduler`` and two ``dask worker --nthreads 1``, started
before the clock runs), and checks that the two gradebooks are the same. ``--softmax``
grades a class of the second assignment (``tests/assignments/softmax``: fast).

    python benchmarks/bench_grade_all.py [--students 40] [--dask] [--softmax]
"""

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import submissions  # noqa: E402
from assignments.softmax import demo_class  # noqa: E402
from dask_cluster import local_cluster  # noqa: E402

from autograder.kit.build import build  # noqa: E402


def wall(command: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def make_class(folder: Path, students: int) -> None:
    sources = [None, *submissions.BUGGY]  # None: the reference
    for i in range(students):
        source = sources[i % len(sources)]
        target = folder / f"student{i:02d}"
        if source is None:
            shutil.copytree(
                ROOT / "reference",
                target,
                ignore=shutil.ignore_patterns("__pycache__", "__init__.py"),
            )
        else:
            submissions.spliced(source, target)


def make_softmax_class(folder: Path, students: int) -> None:
    """The softmax assignment's made-up class, repeated to ``students``."""
    demo = folder.with_name("demo")
    demo_class.write(demo)
    sources = sorted(demo.iterdir())
    for i in range(students):
        shutil.copytree(sources[i % len(sources)], folder / f"student{i:02d}")


def grade_all(work: Path, name: str, *options: str, assignment: list[str]) -> float:
    """Seconds for ``rnnlab grade-all`` of ``work/class`` into ``work/name/``."""
    gradebook = work / name / "gradebook.csv"
    return wall(
        [sys.executable, "-m", "autograder.cli", *assignment, "grade-all", str(work / "class")]
        + ["-o", str(gradebook), *options]
    )


def compare_dask(work: Path, students: int, assignment: list[str]) -> int:
    """``--workers 2`` beside two one-thread Dask workers, per student; 0 if the gradebooks
    are the same."""
    local = grade_all(work, "w2", "--workers", "2", assignment=assignment) / students
    (work / "cluster").mkdir()
    with local_cluster(work / "cluster", workers=2) as cluster:
        on = ["--scheduler", cluster.address, "--tls", str(cluster.tls)]
        dask = grade_all(work, "dask", *on, assignment=assignment)
    dask /= students
    rows = [_rows(work / name / "gradebook.csv") for name in ("w2", "dask")]
    differ = sorted(s for s in rows[0] if rows[0][s] != rows[1].get(s))
    print(f"grade-all --workers 2, per student   {local:6.2f} s ({students} students)")
    print(f"grade-all --scheduler (2 x 1 thread) {dask:6.2f} s = {dask / local:.2f}x --workers 2")
    print(f"rows that differ: {', '.join(differ) or 'none'}")
    for student in differ:  # and why: the tests whose outcome differs
        for name in ("w2", "dask"):
            tests = json.loads((work / name / "results" / f"{student}.json").read_text())["tests"]
            failed = [t["output"].splitlines()[0] for t in tests if t["status"] != "passed"]
            print(f"  {student} {name}: {rows[0 if name == 'w2' else 1][student][-1]}; {failed}")
    return 1 if differ else 0


def _rows(gradebook: Path) -> dict[str, list[str]]:
    with gradebook.open(newline="") as handle:
        return {row[0]: row for row in list(csv.reader(handle))[1:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--dask", action="store_true", help="--workers 2 beside a Dask cluster")
    parser.add_argument("--softmax", action="store_true", help="the softmax assignment's class")
    args = parser.parse_args()
    if args.softmax and not args.dask:
        parser.error("--softmax goes with --dask (otter and the bare import are the lab's)")
    python = sys.executable
    softmax = ROOT / "tests" / "assignments" / "softmax" / "assignment"
    assignment = ["--assignment", str(softmax)] if args.softmax else []
    with tempfile.TemporaryDirectory(prefix="rnnlab-bench-") as scratch:
        work = Path(scratch)
        if args.softmax:
            make_softmax_class(work / "class", args.students)
        else:
            make_class(work / "class", args.students)
        if args.dask:
            return compare_dask(work, args.students, assignment)
        bare = min(wall([python, "-c", "import tensorflow"]) for _ in range(3))
        per_student = {}
        for workers in (1, 2):
            seconds = grade_all(work, f"w{workers}", "--workers", str(workers), assignment=[])
            per_student[workers] = seconds / args.students
        dist = build(work / "dist")
        export = submissions.export_zip(
            dist["student"] / "lab.ipynb", ROOT / "reference", work / "reference.zip"
        )
        (work / "otter").mkdir()
        otter = wall(
            [
                python,
                "-m",
                "otter",
                "run",
                "--no-logo",
                "-a",
                str(dist["autograder.zip"]),
                "-o",
                str(work / "otter"),
                str(export),
            ]
        )
        ours = wall([python, "-m", "autograder.cli", "grade", str(export), "-q"])
    print(f"bare `import tensorflow`        {bare:6.2f} s (best of 3)")
    for workers, seconds in per_student.items():
        print(
            f"grade-all --workers {workers}, per student {seconds:6.2f} s = "
            f"{seconds / bare:.2f}x the bare import ({args.students} students)"
        )
    print(f"otter run (autograder.zip)      {otter:6.2f} s")
    print(f"rnnlab grade (same submission)  {ours:6.2f} s")
    return 0 if per_student[2] / bare <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
