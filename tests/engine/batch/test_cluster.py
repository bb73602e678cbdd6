"""``grade-all --scheduler`` reaches a Dask cluster over TLS only: any other address, or a
``tls://`` one without the class's client certificate, is refused in one line before dask is
imported or anything is written (the real cluster: ``tests/system/test_distributed.py``)."""

import pytest

from autograder import ROOT
from autograder.batch import certificates
from autograder.batch import local as batch
from autograder.cli import main
from autograder.errors import UsageError
from autograder.formats import manifest

SOFTMAX = manifest.load(ROOT / "tests" / "assignments" / "softmax" / "assignment")


@pytest.fixture
def classroom(tmp_path):
    folder = tmp_path / "class"
    (folder / "ann").mkdir(parents=True)
    (folder / "ann" / "softmax.py").write_text((SOFTMAX.reference / "softmax.py").read_text())
    return folder


@pytest.mark.parametrize(
    "address", ["tcp://127.0.0.1:8786", "127.0.0.1:8786", "ws://127.0.0.1:8786", "inproc://x"]
)
def test_an_address_that_is_not_tls_is_refused_saying_what_to_run(
    classroom, tmp_path, capsys, own_assignment, address
):
    gradebook = tmp_path / "out" / "gradebook.csv"
    command = ["--assignment", str(SOFTMAX.path), "grade-all", str(classroom)]
    assert main([*command, "-o", str(gradebook), "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"rnnlab: error: argument --scheduler: {address} is not a tls://")
    assert "`rnnlab cluster init FOLDER`" in err and "--tls FOLDER" in err
    assert not gradebook.parent.exists()


def test_a_tls_address_without_the_certificates_is_refused(classroom, tmp_path):
    gradebook = tmp_path / "out" / "gradebook.csv"
    with pytest.raises(UsageError, match="argument --tls: missing: .*rnnlab cluster init"):
        batch.grade_all(classroom, gradebook, assignment=SOFTMAX, scheduler="tls://h:8786")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match=f"argument --tls: {empty / 'ca.pem'} is missing"):
        batch.grade_all(
            classroom, gradebook, assignment=SOFTMAX, scheduler="tls://h:8786", tls=empty
        )
    assert not gradebook.parent.exists()


def test_certificates_without_a_scheduler_are_refused(classroom, tmp_path):
    certificates.init(tmp_path / "tls")
    gradebook = tmp_path / "out" / "gradebook.csv"
    with pytest.raises(UsageError, match="argument --tls: only with --scheduler"):
        batch.grade_all(classroom, gradebook, assignment=SOFTMAX, tls=tmp_path / "tls")
    assert not gradebook.parent.exists()
