"""The otter-grader path (``otter run``, Gradescope): rnnlab grades, otter only carries it.

``rnnlab build`` makes a grading zip whose otter config names one plugin,
``RnnlabGrading``, and whose ``files/`` hold one notebook without cells: otter
copies it into the submission's folder before it looks there for what to grade
(the export's ``lab.ipynb`` is replaced; ``.py`` files handed in alone are
accepted, where otter by itself refuses more than one). Otter counts the
notebooks before any plugin step, so the zip's entry on Gradescope
(``upload.run_otter``) first sets aside the student's other notebooks (a
``lab (1).ipynb``) and what stands where otter writes (a ``tests`` file): then
otter finds exactly one notebook, the zip's. ``otter run`` skips that entry, and
refuses those uploads as otter alone does. Otter loads the plugin in its own
process, before anything of the submission's can run, and the plugin does the
grading on three of otter's events:

- ``before_grading`` (otter has unpacked the submission into its folder, the
  notebook kernel has not started): everything the student handed in is moved
  out of that folder into a private one, so the kernel, which starts in that
  folder with it first on ``sys.path``, finds nothing there to import in place
  of its own modules (a ``json.py``, an ``otter/`` or ``autograder/``
  package...) and otter finds no ``.OTTER_LOG`` to unpickle. Then rnnlab's
  engine, the copy inside the grading zip (``source/rnnlab``, whatever rnnlab is
  installed), grades the moved files with ``rnnlab grade`` on the assignment the
  zip carries beside it (its manifest named by ``ASSIGNMENT_POINTER``), in a
  separate ``python -I`` process that starts in an empty folder, with that copy
  first on its ``sys.path`` and the submission nowhere on it: the modules run only
  in rnnlab's sandboxes, as with ``rnnlab grade``.
- ``before_execution``: otter is given an empty notebook to execute, so the
  notebook's own code never runs either. Its kernel runs only otter's cells and
  the OK tests, which read each test's outcome from the file the plugin wrote
  (its path in ``OUTCOMES_ENV``, inherited by the kernel) with ``json`` and
  ``os``, and import nothing else.
- ``after_grading``: the results otter writes for Gradescope become rnnlab's
  own ``results.json``, unchanged (see ``_RnnlabResults``).

Nothing outlives otter: the grading process runs under a small lifeline process
(``_LIFELINE``) that the kernel tells when otter dies, by any signal; it then kills
the grading process (whose sandboxes and zygotes end with it) and removes the
plugin's folders, which hold every temporary file of the grade (its ``TMPDIR``).
"""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from otter.plugins import AbstractOtterPlugin
from otter.run.run_autograder.utils import OtterRuntimeError

from autograder.kit.upload import zip_files

PLUGIN = "autograder.kit.otter_bridge.RnnlabGrading"
"""The plugin's importable name, as the grading zip's ``otter_config.json`` gives it."""
ENGINE = "rnnlab"
"""The engine's folder in the grading zip (``/autograder/source/rnnlab`` on Gradescope)."""
ASSIGNMENT_POINTER = "ASSIGNMENT"
"""A file in the engine's folder: the path of the assignment's manifest, relative to it."""
OUTCOMES_ENV = "RNNLAB_OTTER_OUTCOMES"
"""The variable naming the file of outcomes (test name -> "passed" or its feedback)."""
OTTERS_OWN = frozenset({"tests"})
"""What otter itself puts in the submission folder, besides the zip's ``files/``."""
START_SECONDS = 120.0
"""Beyond rnnlab's own worst case: starting Python, importing the engine on a slow machine."""
STDERR_SHOWN = 2000

# Run by ``python -I -c``: the engine's folder goes first on sys.path (-I has left out the
# working directory, PYTHONPATH and user site-packages), and the engine must be that copy.
_BOOT = """\
import sys
from pathlib import Path
engine = Path(sys.argv.pop(1))
sys.path.insert(0, str(engine))
import autograder
if not Path(autograder.__file__).resolve().is_relative_to(engine.resolve()):
    sys.exit(f"rnnlab's engine came from {autograder.__file__}, not from {engine}")
from autograder.cli import main
sys.exit(main(sys.argv[1:]))
"""

# Run by ``python -I -c`` between otter and the grading process: it ends that process and
# removes the plugin's folders when otter dies (a kill leaves otter no way to), or when the
# plugin gives up waiting (SIGTERM). Arguments: otter's pid, the folders, "--", the command.
_LIFELINE = """\
import ctypes, os, shutil, signal, subprocess, sys
split = sys.argv.index("--")
parent, folders, command = int(sys.argv[1]), sys.argv[2:split], sys.argv[split + 1:]
def end(*_):
    raise SystemExit(128 + signal.SIGTERM)
def orphaned(*_):  # the signal also comes when the thread that started it ends: otter lives
    if os.getppid() != parent:
        end()
signal.signal(signal.SIGTERM, end)
signal.signal(signal.SIGHUP, orphaned)
ctypes.CDLL(None).prctl(1, signal.SIGHUP, 0, 0, 0)  # PR_SET_PDEATHSIG: told when otter dies
child = None
try:
    orphaned()  # otter died before the signal was set
    child = subprocess.Popen(command, start_new_session=True)
    sys.exit(child.wait())
finally:
    if child is not None and child.poll() is None:
        os.killpg(child.pid, signal.SIGKILL)  # its sandboxes and zygotes end with it
        child.wait()
    if os.getppid() != parent:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
"""


@dataclass(frozen=True)
class _RnnlabResults:
    """Stands in for ``GradingResults.to_gradescope_dict`` on one results object.

    Otter builds Gradescope's ``results.json`` by calling that method on the
    results its kernel returned, after every plugin event; a plugin cannot write
    the file itself (otter writes it last). Of the ways to make that call give
    rnnlab's results:

    - feeding rnnlab's outcomes into otter's test objects still leaves otter's
      formatting: its doctest transcripts as feedback, no ``status``, no top-level
      score or execution time, a "Public Tests" summary, every test hidden;
    - replacing the method on the class would change every results object otter
      makes, in this process and in any that unpickles them; swapping the object's
      class for a subclass reaches further than needed (its type, every lookup);
    - setting this callable as an attribute of the one object ``after_grading`` is
      given shadows the method for that object only, through Python's ordinary
      attribute lookup, and changes nothing else of otter's. It is plain data, so
      the object still pickles (otter saves it to ``results.pkl``).
    """

    results: dict

    def __call__(self, ag_config: object = None) -> dict:
        return json.loads(json.dumps(self.results))  # a copy: callers may change theirs


class RnnlabGrading(AbstractOtterPlugin):
    """Grade with rnnlab's engine from the zip, before otter runs anything; report its results."""

    _scratch: Path | None = None
    _tmp: Path | None = None
    _results: dict | None = None
    _stderr: str = ""

    def before_grading(self, config) -> None:
        """Move the submission out of the kernel's way, then grade it with the zip's engine."""
        root = Path(config.autograder_dir).resolve()
        engine = root / "source" / ENGINE
        if not (engine / "autograder" / "cli" / "__init__.py").is_file():
            raise OtterRuntimeError(f"this grading zip holds no rnnlab engine at {engine}")
        folder = Path(self.submission_path).parent
        self._scratch = Path(tempfile.mkdtemp(prefix="rnnlab-otter-"))
        # The grading process's own temporary files (its sandboxes', its zygotes'), apart
        # from the upload's folder, which the sandboxes must not see. Its sandboxes' users
        # pass through it, as through /tmp, without listing it.
        self._tmp = Path(tempfile.mkdtemp(prefix="rnnlab-otter-tmp-"))
        self._tmp.chmod(0o711)
        atexit.register(self._clean)  # otter may stop (an exception) before after_grading
        upload = self._scratch / "submission"
        upload.mkdir()
        ours = OTTERS_OWN | zip_files(root) | {Path(self.submission_path).name}
        for entry in list(folder.iterdir()):
            if entry.name not in ours:
                shutil.move(entry, upload / entry.name)
        # otter adds an empty __init__.py "for relative imports": not the student's file.
        init = upload / "__init__.py"
        if init.is_file() and not init.is_symlink() and init.stat().st_size == 0:
            init.unlink()
        self._results = self._grade(engine, _manifest(engine), upload)
        outcomes = {
            test["name"]: "passed" if test.get("status") == "passed" else test.get("output", "")
            for test in self._results.get("tests", [])
        }
        path = self._scratch / "outcomes.json"
        path.write_text(json.dumps(outcomes))
        os.environ[OUTCOMES_ENV] = str(path)  # the kernel otter starts next inherits it

    def _grade(self, engine: Path, manifest_path: Path, upload: Path) -> dict:
        """``rnnlab grade`` of ``upload`` by the engine at ``engine``: its results.json."""
        output = self._scratch / "results" / "results.json"
        empty = self._scratch / "cwd"
        empty.mkdir()
        command = [sys.executable, "-I", "-c", _LIFELINE, str(os.getpid()), str(self._scratch)]
        command += [str(self._tmp), "--", sys.executable, "-I", "-c", _BOOT, str(engine)]
        command += ["--assignment", str(manifest_path)]
        command += ["grade", str(upload), "-o", str(output), "-q"]
        # Imported here: it brings the checks and hypothesis, which otter's process (and
        # `otter generate`, which loads the plugin too) need only when grading.
        from autograder.formats import manifest
        from autograder.grading.grade import worst_case_seconds

        try:
            assignment = manifest.load(manifest_path)
        except manifest.ManifestError as error:
            raise OtterRuntimeError(f"this grading zip's assignment is broken: {error}") from None
        seconds = worst_case_seconds(assignment=assignment) + START_SECONDS
        env = {**os.environ, "TMPDIR": str(self._tmp)}
        with subprocess.Popen(
            command, cwd=empty, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as done:
            try:
                _, stderr = done.communicate(timeout=seconds)
            except subprocess.TimeoutExpired:
                done.terminate()  # the lifeline ends the grading process, then itself
                done.communicate()
                raise OtterRuntimeError(f"rnnlab grade did not finish in {seconds:g} s") from None
        self._stderr = stderr.strip()[-STDERR_SHOWN:]
        if not output.is_file():  # exit code 3 still writes it: some tests hit a grader error
            raise OtterRuntimeError(
                f"rnnlab grade failed (exit code {done.returncode}):\n{self._stderr}"
            )
        return json.loads(output.read_text())

    def before_execution(self, submission):
        """Otter executes an empty notebook: the submission's own code never runs in its kernel."""
        if isinstance(submission, str):  # a script submission
            return ""
        empty = nbformat.v4.new_notebook()
        empty.metadata = submission.get("metadata", {})
        return empty

    def after_grading(self, results) -> None:
        """Make the results Gradescope gets rnnlab's own (see ``_RnnlabResults``)."""
        os.environ.pop(OUTCOMES_ENV, None)
        self._clean()
        if self._results is None:  # before_grading never ran: otter's own results stand
            return
        results.to_gradescope_dict = _RnnlabResults(self._results)

    def _clean(self) -> None:
        for folder in (self._scratch, self._tmp):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def generate_report(self) -> str:
        """For the instructor (otter's stdout): the score, and what rnnlab said on stderr."""
        if self._results is None:
            return "rnnlab did not grade this submission"
        report = f"rnnlab graded this submission: {self._results.get('score', 0):g} points"
        return f"{report}\n{self._stderr}" if self._stderr else report


def _manifest(engine: Path) -> Path:
    """The manifest of the assignment the zip carries (``ASSIGNMENT_POINTER`` names it)."""
    pointer = engine / ASSIGNMENT_POINTER
    if not pointer.is_file():
        raise OtterRuntimeError(f"this grading zip holds no {ASSIGNMENT_POINTER} in {engine}")
    path = (engine / pointer.read_text().strip()).resolve()
    if not path.is_relative_to(engine.resolve()) or not path.is_file():
        raise OtterRuntimeError(f"this grading zip holds no assignment manifest at {path}")
    return path
