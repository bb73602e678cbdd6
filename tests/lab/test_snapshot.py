"""The RNN lab's verdicts, test by test, are what ``tests/snapshots/rnn_lab.json`` recorded.

Every known submission (the reference, the stubs, each buggy and alternative one) is
graded with warm sandboxes (and a sample with cold ones), and compared score by score with
the snapshot (recorded cold, before sandboxes were warm). An engine change or a move of
files that changes any verdict fails here. When a change of verdict is intended,
re-record with ``python tests/snapshots/record.py`` and review the diff.
"""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "snapshots"))
import record  # noqa: E402

RECORDED = json.loads(record.SNAPSHOT.read_text())


COLD = [name for i, name in enumerate(sorted(RECORDED)) if i % 4 == 0 or "/" not in name]
"""Also graded cold: the reference, the stubs and every fourth other (CI's time; the
snapshot itself was recorded cold)."""


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, start",
    [(name, "warm") for name in sorted(RECORDED)] + [(name, "cold") for name in COLD],
)
def test_verdicts_match_the_snapshot(name, start, monkeypatch):
    """Sandboxes forked from a zygote (warm) and started fresh (cold) give one verdict."""
    monkeypatch.setenv("RNNLAB_WARM", "1" if start == "warm" else "0")
    cases = record.cases()
    assert set(cases) == set(RECORDED), "a submission was added or removed: re-record"
    got = record.verdicts(name, *cases[name])
    changed = {
        test: (RECORDED[name].get(test), got.get(test))
        for test in set(got) | set(RECORDED[name])
        if got.get(test) != RECORDED[name].get(test)
    }
    assert changed == {}, f"(recorded, now) per test: {changed}"
