"""Who handed in, when, and what lateness costs: metadata, rosters, the late policy (fast:
nothing is graded here)."""

import os
import zipfile
from datetime import UTC, datetime, timedelta, timezone

import pytest

from autograder.cli import main
from autograder.formats.classroom import discover
from autograder.formats.gradebook import row_cells
from autograder.lms import roster
from autograder.model.row import Row

PACIFIC = timezone(timedelta(hours=-8))

METADATA = """\
submission_1001:
  :submitters:
  - :name: Ann Lee
    :sid: '1001'
    :email: ann@example.edu
  :created_at: 2026-12-01 20:00:00.123456789 -08:00
  :score: !ruby/object:BigDecimal 18:0.17e2
  :history: []
submission_1002:
  :submitters:
  - :name: Ann Lee
    :sid: 1002
    :email: ann.lee@example.edu
  :created_at: 2026-12-03 01:00:00.000000000 -08:00
submission_1003:
  :submitters:
  - :name: Cy Ho
    :sid: '1003'
    :email: cy@example.edu
  - :name: Di/Wu
    :sid: '1004'
  :created_at: 2026-12-02T07:59:00Z
"""


def folders(root, names):
    root.mkdir()
    for name in names:
        (root / name).mkdir()
        (root / name / "softmax.py").write_text("")
    return root


def test_gradescope_metadata_names_rows_by_submitter(tmp_path):
    export = folders(tmp_path / "export", ["submission_1001", "submission_1002", "submission_1003"])
    (export / roster.METADATA).write_text(METADATA)
    entries, people = roster.identify(export, discover(export))
    # two Ann Lees stay two students; a group is named by both; no "/" in a file name
    assert [e.student for e in entries] == ["Ann Lee (1001)", "Ann Lee (1002)", "Cy Ho & Di_Wu"]
    assert [e.path.name for e in entries] == [
        "submission_1001",
        "submission_1002",
        "submission_1003",
    ]
    ann = people["Ann Lee (1001)"]
    assert ann.people == (roster.Person("Ann Lee", "1001", "ann@example.edu"),)
    assert ann.submitted_at == datetime(2026, 12, 1, 20, 0, 0, 123456, tzinfo=PACIFIC)
    assert people["Ann Lee (1002)"].joined("sid") == "1002"  # an unquoted number
    group = people["Cy Ho & Di_Wu"]
    assert group.joined("name") == "Cy Ho; Di/Wu" and group.joined("email") == "cy@example.edu; "
    assert group.submitted_at == datetime(2026, 12, 2, 7, 59, tzinfo=UTC)


def test_a_folder_the_metadata_does_not_name_keeps_its_name(tmp_path):
    export = folders(tmp_path / "export", ["submission_1001", "Ann Lee"])
    (export / roster.METADATA).write_text(METADATA)
    entries, people = roster.identify(export, discover(export))
    # the folder keeps its name; the submitter of the same name is told apart by their SID
    assert {e.path.name: e.student for e in entries} == {
        "Ann Lee": "Ann Lee",
        "submission_1001": "Ann Lee (1001)",
    }
    assert list(people) == ["Ann Lee (1001)"]


def test_a_roster_csv_gives_identity_and_time_but_keeps_the_ids(tmp_path):
    classroom = folders(tmp_path / "class", ["alice", "bob"])
    with zipfile.ZipFile(classroom / "cy.zip", "w") as archive:
        archive.writestr("softmax.py", "")
    stamp = datetime(2026, 1, 2, 3, 4, 5).timestamp()
    os.utime(classroom / "bob" / "softmax.py", (stamp, stamp))
    (tmp_path / "roster.csv").write_text(
        "Student,Name,SID,Email,Submitted_At\n"
        "alice,Alice Ng,11,alice@example.edu,2026-12-02T10:00+01:00\n"
        "bob,Bob Ray,12,bob@example.edu,\n"
    )
    entries, people = roster.identify(classroom, discover(classroom), tmp_path / "roster.csv")
    assert [e.student for e in entries] == ["alice", "bob", "cy"]
    policy = roster.LatePolicy(datetime(2026, 12, 1, 23, 59, tzinfo=UTC), 10)
    rows = {
        e.student: roster.stamp(
            Row(e.student, 8, {}, "graded"), people.get(e.student), e.path, policy
        )
        for e in entries
    }
    alice = rows["alice"]
    assert (alice.name, alice.sid, alice.email) == ("Alice Ng", "11", "alice@example.edu")
    assert alice.submitted_from == "roster" and alice.submitted_at == "2026-12-02T10:00:00+01:00"
    assert alice.late_hours == pytest.approx(9 + 1 / 60) and alice.penalty == 10
    assert alice.adjusted_total == pytest.approx(7.2)
    bob = rows["bob"]  # no time in the roster: his newest file's
    assert bob.submitted_from == "mtime"
    assert datetime.fromisoformat(bob.submitted_at).timestamp() == stamp
    assert bob.late_hours == 0 and bob.adjusted_total == 8
    assert rows["cy"].name == "" and rows["cy"].submitted_from == "mtime"  # not on the roster


@pytest.mark.parametrize(
    "text, problem",
    [
        ("name,sid\nAnn,1\n", "no 'student' column"),
        ("student,name\nann,A\nann,B\n", "line 3: student 'ann' is listed twice"),
        ("student,submitted_at\nann,yesterday\n", "line 2: submitted_at"),
    ],
)
def test_a_bad_roster_is_named(tmp_path, text, problem):
    (tmp_path / "roster.csv").write_text(text)
    with pytest.raises(roster.RosterError, match="roster.csv") as caught:
        roster.read_roster(tmp_path / "roster.csv")
    assert problem in str(caught.value)


def test_bad_metadata_is_named(tmp_path):
    (tmp_path / roster.METADATA).write_text("submission_1: [unclosed\n")
    with pytest.raises(roster.RosterError, match="not a Gradescope metadata file"):
        roster.read_metadata(tmp_path / roster.METADATA)


def test_a_zips_time_is_its_own_and_a_folders_its_newest_files(tmp_path):
    folder = tmp_path / "alice"
    (folder / "deep" / "er").mkdir(parents=True)
    for name, when in (("a.py", 1_000_000), ("deep/er/b.py", 2_000_000)):
        (folder / name).write_text("")
        os.utime(folder / name, (when, when))
    os.symlink("/etc/hostname", folder / "link")  # not followed
    assert roster.newest_mtime(folder).timestamp() == 2_000_000
    archive = tmp_path / "bob.zip"
    archive.write_bytes(b"")
    os.utime(archive, (3_000_000, 3_000_000))
    assert roster.newest_mtime(archive).timestamp() == 3_000_000


# -- the late policy --------------------------------------------------------------------------

DUE = datetime(2026, 12, 1, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "late, hours, penalty, cut",
    [
        (timedelta(hours=-5), 0, 0, False),  # early
        (timedelta(0), 0, 0, False),  # on the minute
        (timedelta(seconds=1), 1 / 3600, 10, False),  # a started day is a day
        (timedelta(hours=24), 24, 10, False),
        (timedelta(hours=25), 25, 20, False),
        (timedelta(days=3), 72, 30, False),  # the cutoff itself is still in
        (timedelta(days=3, seconds=1), 72 + 1 / 3600, 100, True),  # past it: 0
    ],
)
def test_lateness_costs_a_percentage_per_started_day_until_the_cutoff(late, hours, penalty, cut):
    policy = roster.LatePolicy(DUE, per_day=10, cutoff_days=3)
    assert policy.assess(DUE + late) == (pytest.approx(hours), penalty, cut)


def test_the_penalty_stops_at_the_whole_total_and_the_status_says_cutoff():
    policy = roster.LatePolicy(DUE, per_day=40)
    assert policy.assess(DUE + timedelta(days=2, hours=1)) == (49, 100, False)  # 120 % -> 100 %
    row = Row("ann", 15, {}, "graded", submitted_at="x", late_hours=49, penalty=100)
    assert row.adjusted_total == 0
    cut = roster.LatePolicy(DUE, per_day=10, cutoff_days=1)
    identity = roster.Identity((roster.Person("Ann"),), DUE + timedelta(days=2), "metadata")
    stamped = roster.stamp(Row("ann", 15, {}, "graded"), identity, None, cut)
    assert stamped.status == "late-cutoff" and stamped.adjusted_total == 0
    assert row_cells(stamped, _one_question())[-4:] == ["48.00", "100", "0", "late-cutoff"]
    errored = roster.stamp(Row("ann", 0, {}, "grader-error"), identity, None, cut)
    assert errored.status == "grader-error"  # still to be graded again, cutoff or not


def _one_question():
    from autograder import ROOT
    from autograder.formats import manifest

    return manifest.load(ROOT / "tests" / "assignments" / "softmax" / "assignment")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-12-01T23:59", datetime(2026, 12, 1, 23, 59)),
        ("2026-12-01", datetime(2026, 12, 1, 23, 59)),
        ("2026-12-01 23:59:30", datetime(2026, 12, 1, 23, 59, 30)),
        ("2026-12-01T23:59-08:00", datetime(2026, 12, 1, 23, 59, tzinfo=PACIFIC)),
        ("2026-12-01T23:59:00Z", datetime(2026, 12, 1, 23, 59, tzinfo=UTC)),
        ("2026-12-01 23:59:00.123456789 -0800", datetime(2026, 12, 1, 23, 59, 0, 123456, PACIFIC)),
    ],
)
def test_due_dates(text, expected):
    due = roster.parse_due(text)
    assert due.tzinfo is not None  # always comparable with the submission times
    if expected.tzinfo is None:
        expected = expected.astimezone()  # local time
    assert due == expected


@pytest.mark.parametrize(
    "argv, named",
    [
        (["--due", "2026-13-01"], "argument --due"),
        (["--due", "tomorrow"], "argument --due"),
        (["--due", "2026-12-01T23:59+25:00"], "argument --due"),
        (["--due", "2026-12-01", "--penalty-per-day", "110"], "argument --penalty-per-day"),
        (["--due", "2026-12-01", "--penalty-per-day", "ten"], "argument --penalty-per-day"),
        (["--due", "2026-12-01", "--cutoff-days", "-1"], "argument --cutoff-days"),
        (["--due", "2026-12-01", "--cutoff-days", "inf"], "argument --cutoff-days"),
    ],
)
def test_a_bad_due_date_or_policy_is_exit_2_naming_the_argument(tmp_path, capsys, argv, named):
    for command in (["grade-all", str(tmp_path)], ["regrade", str(tmp_path / "g.csv")]):
        with pytest.raises(SystemExit) as caught:
            main([*command, *argv])
        assert caught.value.code == 2
        assert named in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()  # nothing graded, nothing written


@pytest.mark.parametrize("flag, value", [("--penalty-per-day", "10"), ("--cutoff-days", "3")])
def test_a_policy_without_a_due_date_is_exit_2(tmp_path, capsys, flag, value):
    gradebook = tmp_path / "out" / "gradebook.csv"
    assert main(["grade-all", str(tmp_path), "-o", str(gradebook), flag, value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnlab: error: argument " + flag) and "--due" in err
    assert not gradebook.exists()


def test_an_extension_moves_one_students_due_date(tmp_path):
    """A roster's ``due`` column (or a metadata's ``:due_date:``) moves that student's due date:
    their lateness counts from it, and their row says so."""
    path = tmp_path / "roster.csv"
    path.write_text(
        "student,name,submitted_at,due\n"
        "ann,Ann,2026-12-03T10:00-08:00,2026-12-04\n"  # a date alone: its 23:59
        "ben,Ben,2026-12-03T10:00-08:00,\n"
    )
    people = roster.read_roster(path)
    local = people["ann"].due
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-12-04", 23, 59)
    assert people["ben"].due is None
    policy = roster.LatePolicy(DUE, per_day=10)
    ann = roster.stamp(Row("ann", 10, {}, "graded"), people["ann"], None, policy)
    ben = roster.stamp(Row("ben", 10, {}, "graded"), people["ben"], None, policy)
    assert (ann.late_hours, ann.penalty, ann.adjusted_total) == (0, 0, 10)
    assert ann.extended_due == local.isoformat(timespec="minutes")
    assert (ben.penalty, ben.adjusted_total, ben.extended_due) == (20, 8, "")
    metadata = tmp_path / roster.METADATA
    metadata.write_text(METADATA.replace("  :history: []\n", "  :due_date: 2026-12-05\n"))
    found = roster.read_metadata(metadata)
    assert found["submission_1001"].due == datetime(2026, 12, 5, 23, 59, tzinfo=UTC)
    assert found["submission_1002"].due is None
    path.write_text("student,due\nann,next week\n")
    with pytest.raises(roster.RosterError, match="line 2: due: 'next week'"):
        roster.read_roster(path)
