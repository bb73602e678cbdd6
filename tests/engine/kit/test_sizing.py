"""What ``rnnlab build`` says about memory, and where it writes it."""

import zipfile

from autograder.kit import sizing
from autograder.sandbox.footprint import Footprint


def footprint(working_set: int, code: int = 0, kills: int = 0) -> Footprint:
    return Footprint(working_set, working_set + 100, kills, code, 11.0)


def test_the_memory_to_choose_is_the_working_set_with_headroom_in_steps_of_256():
    assert sizing.memory_to_choose(footprint(563)) == 768
    assert sizing.memory_to_choose(footprint(620)) == 1024


def test_the_advice_names_the_working_set_the_peak_and_the_memory_to_choose():
    said = sizing.advice(footprint(563))
    assert "563 MB at most" in said and "663 MB with them" in said
    assert "Choose at least 768 MB: that fits Gradescope's default" in said


def test_a_failed_measuring_run_advises_nothing():
    assert "nothing to advise" in sizing.advice(footprint(300, code=1))
    assert "nothing to advise" in sizing.advice(footprint(300, kills=2))


def test_without_a_cgroup_it_says_nothing_was_measured():
    assert sizing.advice(None).startswith("Memory: not measured")


def test_the_readme_is_replaced_and_nothing_else_changes(tmp_path):
    target = tmp_path / "autograder.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("run_autograder", "#!/bin/sh\n")
        archive.writestr(sizing.README, "old")
    sizing.add_to_readme(target, "new")
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["run_autograder", sizing.README]
        assert archive.read(sizing.README) == b"new"
