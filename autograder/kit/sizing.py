"""How much memory the grading zip needs: the reference, graded through ``otter run`` with the
zip just built, measured as a container's limit counts it (``sandbox.footprint``).

``rnnlab build`` prints the figure and the memory to choose, and writes both into the zip's
``README.md`` (for whoever uploads it). Where this machine cannot make a memory cgroup (not
root, no delegated cgroup v2 subtree) nothing is measured, and both say so.
"""

import math
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.formats.manifest import Assignment
from autograder.kit.notebook import NOTEBOOK
from autograder.sandbox.footprint import Footprint, measure

GRADESCOPE_DEFAULT_MB = 768
HEADROOM = 1.25
"""The memory to choose over the measured working set: the hidden properties draw new
cases on every run, and Gradescope's image is not this machine."""
README = "README.md"
NOT_MEASURED = "Memory: not measured (`rnnlab build` measures it, unless given --no-measure)."


def measure_otter_path(
    student: Path, grading_zip: Path, assignment: Assignment
) -> Footprint | None:
    """The reference's footprint through ``otter run -a grading_zip``, handed in as the
    kit's notebook (in ``student``) beside the reference's modules; None where no memory
    cgroup can be made here."""
    with tempfile.TemporaryDirectory(prefix="rnnlab-sizing-") as scratch:
        work = Path(scratch)
        upload = work / "submission.zip"
        with zipfile.ZipFile(upload, "w") as archive:
            archive.write(student / NOTEBOOK, NOTEBOOK)
            for module in assignment.modules:
                archive.write(assignment.reference / f"{module}.py", f"{module}.py")
        (work / "out").mkdir()
        command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(grading_zip)]
        return measure([*command, "-o", str(work / "out"), str(upload)], cwd=work / "out")


def memory_to_choose(footprint: Footprint) -> int:
    """MB: the working set (the grader's own memory in it) with ``HEADROOM``, in steps of
    256."""
    return 256 * math.ceil(footprint.working_set_mb * HEADROOM / 256)


def advice(footprint: Footprint | None) -> str:
    """What ``rnnlab build`` says, and the zip's README, about memory."""
    if footprint is None:
        return (
            "Memory: not measured (this user may not make a memory cgroup: run `rnnlab build` "
            "as root to measure it). Gradescope gives "
            f"{GRADESCOPE_DEFAULT_MB} MB by default; a grader in a container too small for it "
            "reports grader errors, never charges the student, and each can be regraded."
        )
    if footprint.returncode != 0 or footprint.kills:
        return (
            f"Memory: the measuring run failed (otter exit code {footprint.returncode}, "
            f"{footprint.kills} processes killed for memory): nothing to advise."
        )
    choose = memory_to_choose(footprint)
    fits = "fits" if choose <= GRADESCOPE_DEFAULT_MB else "does not fit"
    return (
        f"Memory: grading the reference through otter run used {footprint.working_set_mb} MB "
        "at most, as a container's limit counts it (its working set: the page cache's "
        f"inactive files left out, which the kernel drops before it kills; {footprint.peak_mb} "
        f"MB with them), in {footprint.seconds:.0f} s. Choose at least {choose} MB: that "
        f"{fits} Gradescope's default of {GRADESCOPE_DEFAULT_MB} MB."
    )


def add_to_readme(grading_zip: Path, text: str) -> None:
    """Write ``text`` as the zip's ``README.md`` (replacing one that is there)."""
    with zipfile.ZipFile(grading_zip) as source:
        entries = [(i, source.read(i)) for i in source.infolist() if i.filename != README]
    with zipfile.ZipFile(grading_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
        archive.writestr(README, text)
