"""A class of 40: ``rnnlab grade-all`` with 1 and 2 workers, against a bare TensorFlow import.

The class is copies of the reference and of the framework's buggy submissions.
In one run: the best of three bare ``python -c "import tensorflow"``; the
batch with ``--workers 1`` and with ``--workers 2`` (mean wall time per
submission); and ``otter run`` with the built ``autograder.zip`` beside
``rnnlab grade`` on the same reference submission (the notebook's export).
Target: with 2 workers on 2 cores, at most 1.5x the bare import per submission.

    python benchmarks/bench_grade_all.py [--students 40]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import submissions  # noqa: E402

from autograder.build import build  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="rnnlab-bench-") as scratch:
        work = Path(scratch)
        make_class(work / "class", args.students)
        bare = min(wall([python, "-c", "import tensorflow"]) for _ in range(3))
        per_student = {}
        for workers in (1, 2):
            seconds = wall(
                [
                    python,
                    "-m",
                    "autograder.cli",
                    "grade-all",
                    str(work / "class"),
                    "-o",
                    str(work / f"w{workers}" / "gradebook.csv"),
                    "--workers",
                    str(workers),
                ]
            )
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
    return 0 if per_student[2] / bare <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
