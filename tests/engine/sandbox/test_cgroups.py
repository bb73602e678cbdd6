"""What a container leaves a sandbox, and whose fault a kill for memory is."""

import pytest

from autograder.sandbox import SandboxLost, cgroups


def fake_v1(tmp_path, limit: int, used: int, hierarchical: int | None = None):
    folder = tmp_path / "memory"
    folder.mkdir()
    (folder / "memory.limit_in_bytes").write_text(f"{limit}\n")
    (folder / "memory.usage_in_bytes").write_text(f"{used}\n")
    if hierarchical is not None:
        (folder / "memory.stat").write_text(f"cache 0\nhierarchical_memory_limit {hierarchical}\n")
    return {"memory": folder}


def test_a_container_leaves_its_limit_less_its_use_and_the_grader_s_reserve(tmp_path, monkeypatch):
    own = fake_v1(tmp_path, 768 << 20, 200 << 20)
    monkeypatch.setattr(cgroups, "own_cgroups", lambda: own)
    assert cgroups.container_room_mb() == 768 - 200 - cgroups.GRADER_RESERVE_MB


@pytest.mark.parametrize("kind", ["v1", "v2"])
def test_inactive_page_cache_is_room_not_use(tmp_path, monkeypatch, kind):
    """The kernel drops it before it kills: a cold start's reads of the libraries once left
    a sandbox 16 MB of a 768 MB container."""
    if kind == "v1":
        own = fake_v1(tmp_path, 768 << 20, 700 << 20)
        stat, key = own["memory"] / "memory.stat", "total_inactive_file"
    else:
        own = {"": tmp_path}
        (tmp_path / "memory.max").write_text(f"{768 << 20}\n")
        (tmp_path / "memory.current").write_text(f"{700 << 20}\n")
        stat, key = tmp_path / "memory.stat", "inactive_file"
    stat.write_text(f"active_file {100 << 20}\n{key} {500 << 20}\n")
    monkeypatch.setattr(cgroups, "own_cgroups", lambda: own)
    assert cgroups.container_room_mb() == 768 - 200 - cgroups.GRADER_RESERVE_MB


def test_an_ancestor_s_smaller_limit_counts(tmp_path, monkeypatch):
    own = fake_v1(tmp_path, 2**63 - 4096, 100 << 20, hierarchical=1024 << 20)
    monkeypatch.setattr(cgroups, "own_cgroups", lambda: own)
    assert cgroups.container_room_mb() == 1024 - 100 - cgroups.GRADER_RESERVE_MB


def test_no_limit_is_no_room_to_mind(tmp_path, monkeypatch):
    own = fake_v1(tmp_path, 2**63 - 4096, 100 << 20)
    monkeypatch.setattr(cgroups, "own_cgroups", lambda: own)
    assert cgroups.container_room_mb() is None


def test_a_v2_limit_is_the_smallest_up_the_tree(tmp_path, monkeypatch):
    parent = tmp_path / "v2"
    child = parent / "grader"
    child.mkdir(parents=True)
    (parent / "memory.max").write_text("1073741824\n")
    (child / "memory.max").write_text("max\n")
    (child / "memory.current").write_text(f"{300 << 20}\n")
    monkeypatch.setattr(cgroups, "own_cgroups", lambda: {"": child})
    assert cgroups.container_room_mb() == 1024 - 300 - cgroups.GRADER_RESERVE_MB


def killed_after(tmp_path, peak_mb: int, failcnt: int | None = None) -> cgroups.Cgroups:
    folder = tmp_path / "sandbox"
    folder.mkdir()
    (folder / "memory.max_usage_in_bytes").write_text(str(peak_mb << 20))
    if failcnt is not None:
        (folder / "memory.failcnt").write_text(f"{failcnt}\n")
    box = cgroups.Cgroups.__new__(cgroups.Cgroups)
    box.folders = [folder]
    return box


def test_a_sandbox_that_never_reached_its_cap_was_killed_for_another(tmp_path):
    with pytest.raises(SandboxLost, match="under its 512 MB \\(it used 300 MB at most\\)"):
        killed_after(tmp_path, 300, failcnt=0).check_own_use(512, 512)


def test_a_sandbox_that_reached_its_cap_ran_out_of_its_own(tmp_path):
    killed_after(tmp_path, 300, failcnt=4).check_own_use(512, 512)  # no exception: its own


def test_a_peak_at_the_cap_is_its_own_though_no_count_says_so(tmp_path):
    killed_after(tmp_path, 512, failcnt=0).check_own_use(512, 512)  # v1 on a new kernel


def test_a_cap_a_container_forced_below_the_floor_is_never_charged(tmp_path):
    with pytest.raises(SandboxLost, match="only 300 MB of the 2048 MB"):
        killed_after(tmp_path, 300, failcnt=3).check_own_use(300, 2048)
