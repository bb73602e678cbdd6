"""Record (or compare) the RNN lab's verdicts, test by test, on every known submission.

``python tests/snapshots/record.py`` rewrites ``rnn_lab.json`` (``record.py NAME ...``
records only those submissions, e.g. ``buggy/forward_tanh``, and keeps the others'
entries: a new submission is added without grading every other again); the slow test
``tests/lab/test_snapshot.py`` grades the same submissions and compares. A change to the
engine or the layout that changes any verdict shows up there, test by test.
"""

import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

import submissions  # noqa: E402

from autograder import ROOT  # noqa: E402
from autograder.formats.manifest import current as current_assignment  # noqa: E402
from autograder.grading.grade import grade  # noqa: E402

LAB = current_assignment()


SNAPSHOT = HERE / "rnn_lab.json"


def cases() -> dict[str, tuple]:
    """Name -> (how to make the folder, the modules to grade)."""
    made = {"reference": (None, None), "assignment": (None, None)}
    for fragment in submissions.BUGGY + submissions.ALTERNATIVE:
        made[f"{fragment.parent.name}/{fragment.stem}"] = (
            fragment,
            submissions.modules_touched(fragment),
        )
    return made


def verdicts(name: str, fragment: Path | None, modules: list[str] | None) -> dict[str, float]:
    questions = [q for q in LAB.questions if modules is None or q.module in modules]
    with tempfile.TemporaryDirectory() as scratch:
        if fragment is None:
            folder = ROOT / name
        else:
            folder = submissions.spliced(fragment, Path(scratch) / "submission")
        report = grade(folder, questions=questions)
    return {f"{o.question.id}/{o.test.id}": o.score for o in report.outcomes}


def record(names: list[str] | None = None) -> dict:
    """Every submission's verdicts, or only those of ``names`` beside the recorded others."""
    made = cases()
    if not names:
        return {name: verdicts(name, *how) for name, how in made.items()}
    unknown = sorted(set(names) - set(made))
    if unknown:
        raise SystemExit(f"no such submissions: {unknown}; they are named like {next(iter(made))}")
    recorded = json.loads(SNAPSHOT.read_text())
    return {**recorded, **{name: verdicts(name, *made[name]) for name in names}}


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(record(sys.argv[1:]), indent=1, sort_keys=True) + "\n")
    print(f"wrote {SNAPSHOT}")
