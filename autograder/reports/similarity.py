"""Similar submissions: every pair of students' code compared, module by module.

``write(folder, reports)`` reads each submission in ``folder`` (one per student, as
``rnnlab grade-all`` finds them, read as safely as grading reads them: ``submission.prepare``),
and compares the graded modules of every pair of students with copydetect (the optional
extra ``rnnlab[similarity]``): winnowed fingerprints of the code once names, strings and
comments are normalised away, so renaming variables or rewording messages changes nothing.
The assignment's stubs are boilerplate: their text (the docstrings, the signatures) matches in
every submission and is never counted. It writes, in ``reports``:

- ``similarity.html``: copydetect's report (the similarity matrix, the distribution, the
  matched code of every pair side by side), made self-contained (its CDN stylesheet and
  script removed) and with the students' ids, escaped, in place of file paths. For the
  instructor only: it shows students' code, and no student page links to it.
- ``similarity.json``: the pairs at or above ``threshold``, which ``reports.write`` groups
  on the class page (``read``, ``clusters``).

Students are named as the gradebook names them (``lms.roster.identify``: a Gradescope
export's metadata, or a roster), so a pair's names are the gradebook's rows and pages. A
pair's overlap is the larger of the two shares: how much of one student's module (beyond the
stub) is found in the other's. Pairs are grouped into clusters: students joined by a chain of
flagged pairs, the most similar cluster first.
"""

import html
import json
import re
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.formats import classroom, manifest
from autograder.formats.files import write_atomic
from autograder.formats.manifest import Assignment

THRESHOLD = 0.7
"""Pairs whose overlap reaches this share are flagged. Honest softmax solutions written
apart overlap up to about 0.5 at ``NOISE`` (they share numpy's idioms); a copy with its
names changed overlaps 1.0."""
NOISE = 30
"""The shortest run of normalised code (characters; every name is one character) that counts
as shared: copydetect's noise and guarantee threshold."""
INSTALL = "pip install 'rnnlab[similarity]'"


class SimilarityError(RuntimeError):
    """The comparison cannot run (copydetect is not installed); the message says what to do."""


@dataclass(frozen=True)
class Pair:
    module: str
    students: tuple[str, str]
    similarity: tuple[float, float]
    """The share of each student's module (beyond the stub) found in the other's."""
    tokens: int
    """Normalised characters in common."""

    @property
    def score(self) -> float:
        return max(self.similarity)


@dataclass
class Comparison:
    pairs: list[Pair]
    """Every pair compared, the most similar first."""
    threshold: float
    compared: dict[str, int] = field(default_factory=dict)
    """Module -> how many students' copies of it were compared."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Student -> why their submission could not be read."""
    html: str = ""
    """copydetect's report, as ``write`` saves it."""
    names: dict[str, str] = field(default_factory=dict)
    """Student -> who they are for people (``shown``): the roster's or metadata's names."""

    def shown(self, student: str) -> str:
        return shown(self.names, student)

    @property
    def flagged(self) -> list[Pair]:
        return [p for p in self.pairs if p.score >= self.threshold]

    def as_json(self) -> dict:
        return {
            "threshold": self.threshold,
            "noise": NOISE,
            "compared": self.compared,
            "skipped": self.skipped,
            "pairs": [asdict(p) for p in self.flagged],
        }


def shown(names: dict[str, str], student: str) -> str:
    """``student`` for people: their name, with the id when the id is not the name."""
    name = names.get(student, "")
    return student if not name or name == student else f"{name} ({student})"


def _copydetect():
    try:
        import copydetect
    except ImportError:
        raise SimilarityError(
            f"comparing submissions needs copydetect, which is not installed: {INSTALL}"
        ) from None
    return copydetect


def compare(
    folder: Path,
    *,
    assignment: Assignment | None = None,
    threshold: float = THRESHOLD,
    noise: int = NOISE,
    roster: Path | None = None,
) -> Comparison:
    """Compare every pair of the submissions in ``folder``, module by module; students named
    as ``grade-all`` names them with the same ``roster`` (default: ``folder``'s metadata)."""
    from autograder.grading.submission import SubmissionError, prepare
    from autograder.lms import roster as people

    copydetect = _copydetect()
    assignment = assignment or manifest.current()
    entries, identities = people.identify(folder, classroom.discover(folder), roster)
    names = {s: i.joined("name") for s, i in identities.items() if i.joined("name")}
    with tempfile.TemporaryDirectory(prefix="rnnlab-similarity-") as scratch:
        root = Path(scratch)
        detector = copydetect.CopyDetector(
            extensions=["py"],
            noise_t=noise,
            guarantee_t=noise,
            display_t=min(threshold, 0.33),
            same_name_only=True,
            autoopen=False,
            silent=True,
            out_file=str(root / "report.html"),
        )
        for module in assignment.modules:
            stub = assignment.folder / f"{module}.py"
            if stub.is_file():
                detector.add_file(str(stub), "boilerplate")
        owner: dict[str, str] = {}  # the copied file -> its student
        compared = dict.fromkeys(assignment.modules, 0)
        skipped = {}
        for index, entry in enumerate(entries):
            dest = root / f"{index:05d}"
            try:
                submission = prepare(entry.path, dest, assignment.modules)
            except SubmissionError as error:
                skipped[entry.student] = str(error)
                continue
            for module in assignment.modules:
                path = dest / f"{module}.py"
                if module in submission.problems or not path.is_file():
                    continue
                detector.add_file(str(path))
                owner[str(path)] = entry.student
                compared[module] += 1
        pairs: list[Pair] = []
        report = ""
        if detector.test_files:
            detector.run()
            pairs = _pairs(detector, owner)
            with warnings.catch_warnings():  # its own use of importlib.resources
                warnings.simplefilter("ignore", DeprecationWarning)
                report = detector.generate_html_report(output_mode="return") or ""
        tags = [shown(names, e.student) for e in entries]
        report = _readable(report, root, tags) if report else _empty_report(compared)
    pairs.sort(key=lambda p: (-p.score, p.module, p.students))
    return Comparison(pairs, threshold, compared, skipped, report, names)


def _pairs(detector, owner: dict[str, str]) -> list[Pair]:
    files = detector.test_files
    pairs = []
    for i, first in enumerate(files):
        for j in range(i + 1, len(files)):
            second = files[j]
            if Path(first).name != Path(second).name:
                continue
            similarity = detector.similarity_matrix[i, j]
            if similarity[0] < 0:  # skipped (not read)
                continue
            pairs.append(
                Pair(
                    module=Path(first).stem,
                    students=(owner[first], owner[second]),
                    similarity=(float(similarity[0]), float(similarity[1])),
                    tokens=int(detector.token_overlap_matrix[i, j]),
                )
            )
    return pairs


HEAD = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
    "style-src 'unsafe-inline'\">"
)
NOTE = (
    '<p style="text-align: center"><b>For the instructor only</b>: students\' code. Each file '
    "is named <i>student/module.py</i>; a pair's two shares are how much of each file (beyond "
    "the stub) is found in the other. A high share is a reason to look, not a verdict.</p>"
)


def _readable(report: str, root: Path, tags: list[str]) -> str:
    """copydetect's report without network resources, with each student's tag (escaped:
    their name, else their id) for the paths of their files."""
    report = re.sub(r"<link [^>]*https://[^>]*>", "", report)
    report = re.sub(r"<script [^>]*https://[^>]*></script>", "", report)
    report = re.sub(r"<button [^>]*data-bs-toggle[^>]*>.*?</button>", "", report, flags=re.S)
    prefix = re.escape(str(root)) + r"/(\d{5})/"
    report = re.sub(prefix, lambda m: html.escape(tags[int(m[1])]) + "/", report)
    report = report.replace("<head>", "<head>\n" + HEAD, 1)
    return report.replace("<h2>Overview</h2>", NOTE + "\n<h2>Overview</h2>", 1)


def _empty_report(compared: dict[str, int]) -> str:
    counts = ", ".join(f"{html.escape(m)}: {n}" for m, n in compared.items())
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">{HEAD}<title>Copy Detection '
        f"Report</title></head><body><p>Nothing to compare ({counts}).</p></body></html>\n"
    )


def write(
    folder: Path,
    reports: Path,
    *,
    assignment: Assignment | None = None,
    threshold: float = THRESHOLD,
    roster: Path | None = None,
) -> Comparison:
    """Compare the submissions in ``folder``; write ``similarity.html`` and ``.json`` in
    ``reports``."""
    comparison = compare(folder, assignment=assignment, threshold=threshold, roster=roster)
    write_atomic(reports / "similarity.html", comparison.html)
    write_atomic(reports / "similarity.json", json.dumps(comparison.as_json(), indent=1))
    return comparison


def read(reports: Path) -> tuple[float, list[Pair]] | None:
    """The threshold and the flagged pairs of ``reports/similarity.json`` (None if there is
    none: not compared)."""
    path = reports / "similarity.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pairs = [
            Pair(
                str(p["module"]),
                (str(p["students"][0]), str(p["students"][1])),
                (float(p["similarity"][0]), float(p["similarity"][1])),
                int(p.get("tokens", 0)),
            )
            for p in data.get("pairs", [])
        ]
        return float(data.get("threshold", 0)), pairs
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise SimilarityError(
            f"{path}: not a similarity report ({error}); compare again with rnnlab similarity"
        ) from None


@dataclass(frozen=True)
class Cluster:
    """Students joined by a chain of similar pairs, and those pairs, the most similar first."""

    students: tuple[str, ...]
    pairs: tuple[Pair, ...]

    @property
    def score(self) -> float:
        return self.pairs[0].score

    @property
    def modules(self) -> list[str]:
        return list(dict.fromkeys(p.module for p in self.pairs))


def clusters(pairs: list[Pair], threshold: float) -> list[Cluster]:
    """The pairs at or above ``threshold`` grouped into clusters (connected students), the
    most similar first (then the largest); each cluster's students in order of name."""
    kept = sorted(
        (p for p in pairs if p.score >= threshold), key=lambda p: (-p.score, p.module, p.students)
    )
    parent: dict[str, str] = {}

    def root(student: str) -> str:
        while parent.setdefault(student, student) != student:
            parent[student] = parent[parent[student]]
            student = parent[student]
        return student

    for pair in kept:
        first, second = (root(s) for s in pair.students)
        parent[first] = second
    grouped: dict[str, list[Pair]] = {}
    for pair in kept:
        grouped.setdefault(root(pair.students[0]), []).append(pair)
    found = [
        Cluster(tuple(sorted({s for p in group for s in p.students})), tuple(group))
        for group in grouped.values()
    ]
    return sorted(found, key=lambda c: (-c.score, -len(c.students), c.students))
