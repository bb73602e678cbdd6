"""A grader in a container with little memory (a memory cgroup it runs in, as Gradescope's
Docker gives it): each sandbox's cap is what the container has left, a submission that
exhausts it loses only its own question with "ran out of memory (N MB)", and the grader lives
to write the results. Root only: the test makes the memory group."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import submissions

from autograder import ROOT
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


def grade_inside(
    group: Path, submission: Path, output: Path, tier: str
) -> subprocess.CompletedProcess:
    """``rnnlab grade`` started inside ``group``, as a container's only process tree."""
    enter = f'echo $$ > {group}/cgroup.procs && exec "$@"'
    command = ["sh", "-c", enter, "sh", sys.executable, "-m", "autograder.cli", "grade",
               str(submission), "-q", "-o", str(output)]  # fmt: skip
    env = {**os.environ, "RNNLAB_SANDBOX": tier}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


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
@pytest.mark.parametrize("tier", ["namespaces", "permissions"])
def test_a_swarm_costs_only_its_question_in_a_small_container(tmp_path, mb, tier):
    """The grader lives to write every result; no other question is charged. The swarm's
    own question scores nothing: charged, or a grader error when the container left its
    sandbox too little to charge it for."""
    swarm = submissions.HERE / "hostile" / "memory_swarm" / "rnn.py"
    submission = submissions.spliced(swarm, tmp_path / "submission")
    with memory_group(mb, "swarm") as group:
        done = grade_inside(group, submission, tmp_path / "results.json", tier)
    assert done.returncode in (0, 3), done.stderr[-2000:]  # 3: a grader error, reported
    assert set(charged(tmp_path / "results.json")) == {"rnn_backward"}
    assert scores(tmp_path / "results.json")["rnn_backward"] == 0


@pytest.mark.parametrize("tier", ["namespaces", "permissions"])
def test_a_memory_bomb_in_a_small_container_ran_out_of_memory(tmp_path, tier):
    bomb = submissions.hostile(
        submissions.HERE / "hostile" / "memory_bomb", tmp_path / "submission"
    )
    with memory_group(1024, "bomb") as group:
        done = grade_inside(group, bomb, tmp_path / "results.json", tier)
    assert done.returncode in (0, 3), done.stderr[-2000:]
    padding = [
        t for t in json.loads((tmp_path / "results.json").read_text())["tests"]
        if t["name"].startswith("padding")
    ]  # fmt: skip
    assert padding and all(t["score"] == 0 for t in padding)
    said = [t["output"] for t in padding if not t["output"].startswith("failed; what went")]
    assert all("ran out of memory (" in s or "grader error" in s for s in said)
    assert any("ran out of memory (" in s for s in said)
