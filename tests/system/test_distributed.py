"""``grade-all --scheduler``: a class graded on a real Dask cluster (a scheduler and two
one-thread workers on this machine) gets the gradebook and results a local batch gets;
``--resume``, ``--only`` and ``-q`` work through it; a worker killed while it grades costs
nothing; a timeout, a missing assignment and Ctrl-C end as they should. And the engine
works without dask installed."""

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import zipfile

import pytest
from batches import interrupt_after_first_row, read
from dask_cluster import local_cluster

from autograder import ROOT
from autograder.batch import certificates
from autograder.batch import local as batch
from autograder.cli import main
from autograder.formats import manifest
from autograder.grading.requirements import RequirementsError

sys.path.insert(0, str(ROOT / "tests" / "assignments" / "softmax"))
import demo_class  # noqa: E402

SOFTMAX = manifest.load(ROOT / "tests" / "assignments" / "softmax" / "assignment")
REFERENCE = (SOFTMAX.reference / "softmax.py").read_text()
STUB = (SOFTMAX.folder / "softmax.py").read_text()


def results(folder):
    """Each student's results.json, but for how long it took and where objects were in
    memory (a failed assert shows ``<function allclose at 0x...>``)."""
    found = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(re.sub(r" at 0x[0-9a-f]+", " at 0x", path.read_text()))
        data.pop("execution_time", None)
        found[path.stem] = data
    return found


def student(folder, name, source):
    (folder / name).mkdir()
    (folder / name / "softmax.py").write_text(source)


def grade_all_command(classroom, gradebook):
    return ["--assignment", str(SOFTMAX.path), "grade-all", str(classroom), "-o", str(gradebook)]


def on(cluster) -> list[str]:
    """grade-all's flags for ``cluster``: its address and the class's certificates."""
    return ["--scheduler", cluster.address, "--tls", str(cluster.tls)]


def at(cluster) -> dict:
    """``batch.grade_all``'s arguments for ``cluster``."""
    return {"scheduler": cluster.address, "tls": cluster.tls}


# -- without a cluster ------------------------------------------------------------------------


def test_the_engine_imports_no_dask():
    code = (
        "import sys, autograder.batch.local, autograder.cli, autograder.batch.cluster\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_without_dask_a_scheduler_says_what_to_install(
    tmp_path, monkeypatch, capsys, own_assignment
):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    classroom = tmp_path / "class"
    classroom.mkdir()
    student(classroom, "ann", REFERENCE)
    gradebook = tmp_path / "out" / "gradebook.csv"
    certificates.init(tmp_path / "tls")
    command = grade_all_command(classroom, gradebook) + ["--scheduler", "tls://127.0.0.1:8786"]
    assert main(command + ["--tls", str(tmp_path / "tls")]) == 2
    assert "pip install 'rnnlab[dask]'" in capsys.readouterr().err
    assert not gradebook.parent.exists()  # refused before anything was written


def test_workers_are_refused_with_a_scheduler(tmp_path, capsys, own_assignment):
    command = grade_all_command(tmp_path, tmp_path / "gradebook.csv")
    assert main(command + ["--scheduler", "tls://127.0.0.1:8786", "--workers", "2"]) == 2
    assert "--workers: not with --scheduler" in capsys.readouterr().err


# -- on a cluster -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with local_cluster(tmp_path_factory.mktemp("dask")) as running:
        yield running


@pytest.fixture(scope="module")
def graded(cluster, tmp_path_factory):
    """A class of 24 graded here (one worker) and on the cluster: the made-up class of the
    softmax assignment, a zip, a file that is not a zip, a module that is a link."""
    work = tmp_path_factory.mktemp("graded")
    classroom = work / "class"
    demo_class.write(classroom)
    with zipfile.ZipFile(classroom / "vic.zip", "w") as archive:
        archive.writestr("lab/softmax.py", REFERENCE)
    (classroom / "wes.zip").write_text("not a zip")
    (classroom / "xia").mkdir()
    (classroom / "xia" / "softmax.py").symlink_to(SOFTMAX.reference / "softmax.py")
    here = work / "here" / "gradebook.csv"
    there = work / "there" / "gradebook.csv"
    batch.grade_all(classroom, here, assignment=SOFTMAX, workers=1)
    rows = batch.grade_all(classroom, there, assignment=SOFTMAX, **at(cluster))
    assert len(rows) == 24
    return classroom, here, there


@pytest.mark.slow
def test_a_class_on_the_cluster_is_graded_as_here(graded):
    classroom, here, there = graded
    assert read(there) == read(here)
    rows = {r["student"]: r for r in read(there)}
    assert rows["ada"]["total"] == "17" and rows["vic"]["total"] == "17"  # a folder, a zip
    assert rows["cleo"]["softmax_forward"] == "9"  # softmax without the shift by the max
    assert rows["wes"]["total"] == rows["xia"]["total"] == rows["tess"]["total"] == "0"
    assert {r["status"] for r in rows.values()} == {"graded"}
    assert results(there.parent / "results") == results(here.parent / "results")
    refused = json.loads((there.parent / "results" / "wes.json").read_text())
    assert "is neither a folder nor a zip file" in refused["tests"][0]["output"]
    linked = json.loads((there.parent / "results" / "xia.json").read_text())
    assert "softmax.py is not a regular file" in linked["tests"][0]["output"]
    assert "Dask scheduler tls://127.0.0.1:" in there.with_name("gradebook.csv.log").read_text()


def listeners(cluster) -> list[str]:
    """Every address of ``cluster`` that a process on its machines could dial: the scheduler,
    each worker and each worker's nanny (each of them runs what a client asks)."""
    with cluster.client() as client:
        info = client.scheduler_info()
    workers = info["workers"]
    return [info["address"], *workers, *(worker["nanny"] for worker in workers.values())]


def first_byte(address: str, identity: certificates.Identity, show: bool) -> bytes:
    """What a TLS client trusting ``identity``'s CA reads first from ``address`` (Dask's
    greeting), showing ``identity``'s certificate or none."""
    host, port = address.removeprefix("tls://").rsplit(":", 1)
    context = ssl.create_default_context(cafile=identity.ca)
    context.check_hostname = False  # as Dask: the class's CA is the whole trust
    if show:
        context.load_cert_chain(identity.cert, identity.key)
    with socket.create_connection((host, int(port)), timeout=60) as raw:
        with context.wrap_socket(raw) as tls:
            return tls.recv(1)


@pytest.mark.slow
def test_the_cluster_answers_only_a_client_with_the_class_s_certificate(cluster):
    found = listeners(cluster)
    assert len(found) == 5 and all(a.startswith("tls://127.0.0.1:") for a in found)
    mine = certificates.client(cluster.tls)
    for address in found:
        assert first_byte(address, mine, show=True) != b""  # Dask's greeting: the door is there
        with pytest.raises(ssl.SSLError, match="(?i)certificate"):
            first_byte(address, mine, show=False)


ATTACKER = """
import os, sys
from distributed import Client
from distributed.security import Security

address, files = sys.argv[1], sys.argv[2:]
names = ("tls_ca_file", "tls_client_cert", "tls_client_key")
security = Security(require_encryption=True, **dict(zip(names, files))) if files else None
try:
    with Client(address, security=security, timeout=30, set_as_default=False) as client:
        print("got in: ran in", sorted(client.run(os.getpid).values()), flush=True)
except Exception as error:
    print("refused:", type(error).__name__, error, flush=True)
os._exit(0)  # a half-made client's loop may never end
"""
"""The issue's attacker: another process that dials the scheduler and runs ``client.run``."""


def attack(address: str, *files) -> str:
    """What ``ATTACKER`` says, dialling ``address`` with ``files`` (CA, certificate, key)."""
    command = [sys.executable, "-c", ATTACKER, address, *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return done.stdout.strip() or done.stderr


@pytest.fixture(scope="module")
def another_class(tmp_path_factory):
    """A CA and certificates of the attacker's own making (the same tool, another class)."""
    folder = tmp_path_factory.mktemp("attacker") / "tls"
    certificates.init(folder)
    return certificates.identity(folder, "client")


@pytest.mark.slow
@pytest.mark.parametrize(
    "how",
    [
        "plain tcp",
        "tls, no certificate",
        "their own CA and certificate",
        "their certificate, our CA trusted",
    ],
)
def test_a_client_without_the_class_s_certificate_cannot_run_code_on_the_workers(
    cluster, another_class, how
):
    """Issue 20: a submission found the scheduler's address and ran ``client.run`` in its
    worker. Without the class's client key (0600, the grader's) it gets no client at all."""
    ours = certificates.client(cluster.tls)
    assert attack(cluster.address, *ours.files()).startswith("got in: ran in")  # the script can
    address, files = cluster.address, ()
    if how == "plain tcp":
        address = address.replace("tls://", "tcp://")
    elif how == "their own CA and certificate":
        files = another_class.files()
    elif how == "their certificate, our CA trusted":
        files = (ours.ca, another_class.cert, another_class.key)
    said = attack(address, *files)
    assert said.startswith("refused: "), said
    with cluster.client() as client:  # and the cluster is still there for the class
        assert len(client.run(os.getpid)) == 2


@pytest.mark.slow
def test_resume_on_the_cluster_grades_only_the_rest(graded, cluster, tmp_path, own_assignment):
    classroom, here, there = graded
    out = tmp_path / "out"
    shutil.copytree(there.parent, out)
    gradebook = out / "gradebook.csv"
    lines = gradebook.read_text().splitlines(keepends=True)
    assert lines[1].startswith("ada,") and lines[2].startswith("ben,")
    lines[1] = lines[1].replace(",graded", ",grader-error: the grader process died")
    gradebook.write_text("".join(lines[:2] + lines[3:]))  # ada: an error row; ben: no row
    command = grade_all_command(classroom, gradebook) + on(cluster)
    assert main(command + ["--resume"]) == 0
    assert read(gradebook) == read(here)
    log = gradebook.with_name("gradebook.csv.log").read_text().split("batch of ")[-1]
    assert log.startswith("2 (22 kept)")
    graded = sorted(line.split(" ", 2)[2].split(":")[0] for line in log.splitlines()[1:])
    assert graded == ["ada", "ben"]


@pytest.mark.slow
def test_a_question_regraded_on_the_cluster_is_merged_as_here(
    graded, cluster, tmp_path, own_assignment
):
    classroom, here, there = graded
    mine = tmp_path / "class"
    shutil.copytree(classroom, mine, symlinks=True)
    (mine / "ada" / "softmax.py").write_text(STUB)  # ada's gradient is gone, her softmax stays
    outcome = {}
    for name, source, scheduler in [("here", here, []), ("there", there, on(cluster))]:
        shutil.copytree(source.parent, tmp_path / name)
        gradebook = tmp_path / name / "gradebook.csv"
        command = grade_all_command(mine, gradebook) + ["--only", "ada", "-q", "softmax_gradient"]
        assert main(command + scheduler) == 0
        outcome[name] = (read(gradebook), results(gradebook.parent / "results"))
    rows = {r["student"]: r for r in outcome["there"][0]}
    assert (rows["ada"]["softmax_forward"], rows["ada"]["softmax_gradient"]) == ("10", "0")
    assert rows["ada"]["total"] == "10"
    assert [r for r in outcome["there"][0] if r["student"] != "ada"] == [
        r for r in read(there) if r["student"] != "ada"
    ]
    assert outcome["there"] == outcome["here"]


@pytest.mark.slow
def test_an_assignment_missing_on_the_workers_is_a_grader_error_row(cluster, tmp_path):
    copy = tmp_path / "softmax"
    shutil.copytree(SOFTMAX.folder.parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assignment = manifest.load(copy / "assignment")
    shutil.rmtree(copy)  # here, it was loaded; the workers find nothing at its path
    classroom = tmp_path / "class"
    classroom.mkdir()
    student(classroom, "ann", REFERENCE)
    student(classroom, "ben", STUB)
    gradebook = tmp_path / "out" / "gradebook.csv"
    rows = batch.grade_all(classroom, gradebook, assignment=assignment, **at(cluster))
    assert len(rows) == 2
    for row in rows:
        assert row.status.startswith(f"grader-error: the assignment {assignment.path} is not")
        assert "on the Dask worker tls://" in row.status


@pytest.mark.slow
def test_workers_without_the_requirements_are_named_before_grading(cluster, tmp_path):
    copy = tmp_path / "softmax"
    shutil.copytree(SOFTMAX.folder.parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / "assignment" / "rnnlab.toml"
    absent = "rnnlab-no-such-package-anywhere>=1"
    path.write_text(path.read_text().replace('"numpy>=1.26"', f'"{absent}"'))
    classroom = tmp_path / "class"
    classroom.mkdir()
    student(classroom, "ann", REFERENCE)
    gradebook = tmp_path / "out" / "gradebook.csv"
    with pytest.raises(RequirementsError) as refused:
        batch.grade_all(classroom, gradebook, assignment=manifest.load(path), **at(cluster))
    said = str(refused.value)
    assert said.startswith("the Dask worker tls://") and f"{absent} (not installed)" in said
    assert not gradebook.exists()


@pytest.mark.slow
def test_ctrl_c_stops_a_batch_on_the_cluster_and_keeps_its_rows(cluster, tmp_path):
    classroom = tmp_path / "class"
    classroom.mkdir()
    for i in range(12):
        student(classroom, f"s{i:02}", REFERENCE)
    gradebook = tmp_path / "out" / "gradebook.csv"
    command = [sys.executable, "-m", "autograder.cli", *grade_all_command(classroom, gradebook)]
    process = subprocess.Popen(
        command + on(cluster),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    err, kept = interrupt_after_first_row(process, gradebook)
    assert process.returncode == 130 and b"interrupted" in err
    assert 1 <= len(kept) < 12
    assert all(row["status"] == "graded" for row in kept)
    with cluster.client() as client:  # its tasks went with it
        for _ in range(50):
            left = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
            if not left:
                break
            time.sleep(0.2)
    assert left == 0


@pytest.mark.slow
def test_a_student_over_the_timeout_gets_a_timeout_row(cluster, tmp_path):
    """Last on this cluster: the grade given up on goes on on its worker (its sandboxes'
    budgets end it), but the batch does not wait for it."""
    classroom = tmp_path / "class"
    classroom.mkdir()
    student(classroom, "ann", REFERENCE)
    student(classroom, "slow", "import time\ntime.sleep(60)\n" + REFERENCE)
    gradebook = tmp_path / "out" / "gradebook.csv"
    started = time.monotonic()
    batch.grade_all(classroom, gradebook, assignment=SOFTMAX, timeout=10, **at(cluster))
    assert time.monotonic() - started < 30
    status = {r["student"]: r["status"] for r in read(gradebook)}
    assert status == {"ann": "graded", "slow": "timeout: not graded within 10 s"}


def grading_sleepy(client) -> int | None:
    """The pid of the worker process grading sleepy now, if any."""
    running = client.run(
        lambda dask_worker: (os.getpid(), [str(t.key) for t in dask_worker.state.executing])
    )
    return next((pid for pid, keys in running.values() if any("-sleepy-" in k for k in keys)), None)


@pytest.mark.slow
def test_a_student_whose_worker_is_killed_is_graded_on_the_other(tmp_path):
    classroom = tmp_path / "class"
    classroom.mkdir()
    student(classroom, "ann", REFERENCE)
    student(classroom, "ben", STUB)
    student(classroom, "sleepy", "import time\ntime.sleep(3)\n" + REFERENCE)  # 3 s an import
    gradebook = tmp_path / "out" / "gradebook.csv"
    (tmp_path / "dask").mkdir()
    with local_cluster(tmp_path / "dask") as cluster:
        grading = threading.Thread(
            target=batch.grade_all,
            args=(classroom, gradebook),
            kwargs={"assignment": SOFTMAX, **at(cluster)},
        )
        grading.start()
        with cluster.client() as client:
            deadline = time.monotonic() + 60
            while (victim := grading_sleepy(client)) is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert victim is not None, "sleepy was never seen grading"
            time.sleep(0.5)  # into its grade
            assert grading_sleepy(client) == victim
            killed = next(p for p in cluster.workers if p.pid == os.getpgid(victim))
            cluster.kill(killed)
            grading.join(timeout=180)
            assert not grading.is_alive()
            assert len(client.nthreads()) == 1
        scratch = cluster.scratch[cluster.workers.index(killed)]
        for _ in range(50):  # its sandboxes and zygote go with it
            leftover = subprocess.run(["pgrep", "-f", str(scratch)], capture_output=True)
            if not leftover.stdout:
                break
            time.sleep(0.2)
        assert leftover.stdout == b""
    rows = {r["student"]: r for r in read(gradebook)}
    assert (rows["sleepy"]["status"], rows["sleepy"]["total"]) == ("graded", "17")
    assert (rows["ann"]["total"], rows["ben"]["total"]) == ("17", "0")
    assert (gradebook.parent / "results" / "sleepy.json").is_file()


@pytest.mark.slow
def test_the_lab_s_known_submissions_get_the_snapshot_s_verdicts_on_the_cluster(cluster, tmp_path):
    """The RNN lab's reference, stubs, alternative submissions and a bug per question,
    graded on the cluster, score test by test as ``tests/lab/test_snapshot.py`` recorded them
    (which grades every bug here: the cluster carries verdicts, a worker makes them)."""
    sys.path.insert(0, str(ROOT / "tests" / "snapshots"))
    import record
    import submissions

    bugs = {f"buggy/{p.stem}" for p in submissions.one_per_question(submissions.BUGGY)}
    cases = {k: v for k, v in record.cases().items() if not k.startswith("buggy/") or k in bugs}
    assert len(cases) == 2 + len(submissions.ALTERNATIVE) + len(bugs)  # reference, stubs
    recorded = {k: v for k, v in json.loads(record.SNAPSHOT.read_text()).items() if k in cases}
    lab = record.LAB
    classroom = tmp_path / "class"
    classroom.mkdir()
    for name, (fragment, _) in cases.items():
        folder = classroom / name.replace("/", "__")
        if fragment is None:
            folder.mkdir()
            for source in (ROOT / name).glob("*.py"):
                shutil.copy(source, folder / source.name)
        else:
            submissions.spliced(fragment, folder)
    gradebook = tmp_path / "out" / "gradebook.csv"
    rows = batch.grade_all(classroom, gradebook, assignment=lab, **at(cluster))
    assert {r.status for r in rows} == {"graded"}
    key = {f"{q.id}: {t.title}": f"{q.id}/{t.id}" for q in lab.questions for t in q.tests}
    changed = {}
    for name, verdicts in recorded.items():
        graded = json.loads(
            (gradebook.parent / "results" / f"{name.replace('/', '__')}.json").read_text()
        )
        scores = {key[t["name"]]: t["score"] for t in graded["tests"] if t["name"] in key}
        for test, score in verdicts.items():
            if scores.get(test) != score:
                changed[f"{name} {test}"] = (score, scores.get(test))
    assert changed == {}, f"(recorded, on the cluster) per test: {changed}"


@pytest.mark.slow
def test_hostile_submissions_on_a_permissions_worker_gain_nothing(tmp_path, monkeypatch):
    """The attack of a root worker without namespaces (Docker's): every hostile submission,
    ``dask_takeover`` included, graded on workers forced to the permissions tier, scores 0
    and nothing runs outside a sandbox. (That the cluster grades as a local batch does is
    ``test_a_class_on_the_cluster_is_graded_as_here``'s.)"""
    if os.geteuid() != 0:
        pytest.skip("the permissions tier needs a root grader")
    import submissions

    mark = tmp_path / "takeover-mark"
    tier = {"RNNLAB_SANDBOX": "permissions", "RNNLAB_TAKEOVER_MARK": str(mark)}
    for name, value in tier.items():
        monkeypatch.setenv(name, value)  # the local batch's sandboxes, and the client's
    classroom = tmp_path / "class"
    for folder in submissions.HOSTILE:
        submissions.hostile(folder, classroom / folder.name)
    submissions.spliced([], classroom / "reference")
    there = tmp_path / "there" / "gradebook.csv"
    (tmp_path / "dask").mkdir()
    with local_cluster(tmp_path / "dask", env=tier) as cluster:
        batch.grade_all(classroom, there, **at(cluster))
    assert not mark.exists()
    rows = {r["student"]: r for r in read(there)}
    assert set(rows) == {f.name for f in submissions.HOSTILE} | {"reference"}
    assert rows["reference"]["total"] == "100"
    assert all(r["total"] == "0" for name, r in rows.items() if name != "reference")
    takeover = json.loads((there.parent / "results" / "dask_takeover.json").read_text())
    said = " ".join(t.get("output", "") for t in takeover["tests"])
    assert "ran code on the workers" not in said and "read ['--tls" not in said
