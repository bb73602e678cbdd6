"""A grader in a container with little memory (a memory cgroup it runs in, as Gradescope's
Docker gives it): each sandbox's cap is what the container has left, a submission that
exhausts it loses only its own question with "ran out of memory (N MB)", and the grader lives
to write the results. Root only: the test makes the memory group."""

import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import submissions

from autograder import ROOT
from autograder.kit.build import build
from autograder.kit.notebook import NOTEBOOK
from autograder.sandbox import cgroups

pytestmark = pytest.mark.slow

OWN = cgroups.own_cgroups().get("memory")  # the v1 hierarchy to nest in


@contextmanager
def memory_group(mb: int, name: str):
    """A v1 memory cgroup of ``mb`` MB below this process's own; yields its folder."""
    if os.geteuid() != 0 or OWN is None:
        pytest.skip("needs root and a v1 memory cgroup to make a container's limit")
    folder = OWN / f"rnnlab-container-{name}-{os.getpid()}"
    folder.mkdir()
    try:
        (folder / "memory.limit_in_bytes").write_text(str(mb << 20))
        yield folder
    finally:
        for _ in range(100):
            try:
                folder.rmdir()
                break
            except OSError:
                import time

                time.sleep(0.1)


def inside(group: Path, command: list[str], tier: str, cwd: Path) -> None:
    """``command`` started inside ``group``, as a container's only process tree."""
    enter = f'echo $$ > {group}/cgroup.procs && exec "$@"'
    env = {**os.environ, "RNNLAB_SANDBOX": tier}
    done = subprocess.run(
        ["sh", "-c", enter, "sh", *command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert done.returncode in (0, 3), done.stderr[-2000:]  # 3: a grader error, reported


def grade_inside(group: Path, submission: Path, output: Path, tier: str) -> None:
    """``rnnlab grade`` inside ``group``."""
    command = [sys.executable, "-m", "autograder.cli", "grade", str(submission), "-q", "-o"]
    inside(group, [*command, str(output)], tier, ROOT)


def otter_inside(group: Path, autograder_zip: Path, submission: Path, output: Path) -> None:
    """``otter run`` inside ``group``, in Gradescope's tier; writes ``output``."""
    out = output.parent / "otter"
    out.mkdir()
    command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder_zip)]
    inside(group, [*command, "-o", str(out), str(submission)], "permissions", out)
    shutil.move(out / "results.json", output)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict:
    return build(tmp_path_factory.mktemp("dist"))


def handed_in(dist: dict, modules: Path, target: Path) -> Path:
    """The notebook's export of ``modules`` (a folder of the lab's modules)."""
    return submissions.export_zip(dist["student"] / NOTEBOOK, modules, target)


def peak_and_kills(group: Path) -> tuple[int, int]:
    """The group's most memory used at once (MB), and how many processes the kernel killed."""
    peak = int((group / "memory.max_usage_in_bytes").read_text()) >> 20
    control = dict(line.split() for line in (group / "memory.oom_control").read_text().splitlines())
    return peak, int(control.get("oom_kill", 0))


def scores(results: Path) -> dict[str, float]:
    data = json.loads(results.read_text())
    found: dict[str, float] = {}
    for test in data["tests"]:
        question = test["name"].split(":")[0]
        found[question] = found.get(question, 0.0) + test["score"]
    return found


def charged(results: Path) -> dict[str, list[dict]]:
    """Each question's tests that lost points and were not a grader error."""
    found: dict[str, list[dict]] = {}
    for test in json.loads(results.read_text())["tests"]:
        if test["score"] < test["max_score"] and "grader error" not in test["output"]:
            found.setdefault(test["name"].split(":")[0], []).append(test)
    return found


@pytest.mark.parametrize("mb", [768, 1024])
def test_a_swarm_costs_only_its_question_on_gradescope_s_path(tmp_path, dist, mb):
    """Through ``otter run``: the grader lives to write every result; no other question is
    charged. The swarm's own question scores nothing: charged, or a grader error when the
    container left its sandbox too little to charge it for."""
    swarm = submissions.HERE / "hostile" / "memory_swarm" / "rnn.py"
    submission = handed_in(dist, submissions.spliced(swarm, tmp_path / "s"), tmp_path / "s.zip")
    with memory_group(mb, "swarm") as group:
        otter_inside(group, dist["autograder.zip"], submission, tmp_path / "results.json")
    assert set(charged(tmp_path / "results.json")) == {"rnn_backward"}
    assert scores(tmp_path / "results.json")["rnn_backward"] == 0


@pytest.mark.parametrize("path", ["rnnlab grade (namespaces)", "otter run"])
def test_a_memory_bomb_in_a_small_container_ran_out_of_memory(tmp_path, dist, path):
    bomb = submissions.hostile(
        submissions.HERE / "hostile" / "memory_bomb", tmp_path / "submission"
    )
    # Room enough that its cap never falls below the floor, zygotes and otter beside it: the
    # verdict is then always the bomb's own ("ran out of memory"), never a grader error.
    with memory_group(1536, "bomb") as group:
        if path == "otter run":
            submission = handed_in(dist, bomb, tmp_path / "s.zip")
            otter_inside(group, dist["autograder.zip"], submission, tmp_path / "results.json")
        else:
            grade_inside(group, bomb, tmp_path / "results.json", "namespaces")
    padding = [
        t for t in json.loads((tmp_path / "results.json").read_text())["tests"]
        if t["name"].startswith("padding")
    ]  # fmt: skip
    assert padding and all(t["score"] == 0 for t in padding)
    said = [t["output"] for t in padding if not t["output"].startswith("failed; what went")]
    assert all("ran out of memory (" in s or "grader error" in s for s in said)
    assert any("ran out of memory (" in s for s in said)


def test_the_reference_in_384_mb_loses_nothing_to_the_container(tmp_path):
    """Too small for the LSTM beside the grader: its tests are grader errors, never charged."""
    with memory_group(384, "small") as group:
        grade_inside(group, ROOT / "reference", tmp_path / "results.json", "namespaces")
    assert charged(tmp_path / "results.json") == {}


def test_the_reference_in_768_mb_scores_100_on_gradescope_s_path_with_no_kill(tmp_path, dist):
    submission = handed_in(dist, ROOT / "reference", tmp_path / "s.zip")
    with memory_group(768, "reference") as group:
        otter_inside(group, dist["autograder.zip"], submission, tmp_path / "results.json")
        peak, kills = peak_and_kills(group)
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 100
    assert kills == 0, f"{kills} processes killed for memory (peak {peak} MB)"
