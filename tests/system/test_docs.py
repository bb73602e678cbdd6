"""The documentation: the README's links resolve, every page is in the site's navigation, and
the authoring guide's manifest keys come from the manifest loader (so they cannot drift)."""

import importlib.util
import re

import yaml

from autograder import ROOT
from autograder.formats.manifest import KEYS

DOCS = ROOT / "docs"


def test_the_readme_starts_with_the_two_commands_and_its_links_resolve():
    readme = (ROOT / "README.md").read_text()
    first = readme.split("```")[1].strip().splitlines()
    assert first[0] == "bash" and first[1].startswith("python3 -m venv .venv")
    assert first[2] == "python -m pytest"
    assert len(readme.splitlines()) <= 110
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert links and [link for link in links if not (ROOT / link).is_file()] == []


def test_every_page_is_in_the_navigation():
    config = yaml.safe_load((DOCS / "mkdocs.yml").read_text())
    listed = {page for entry in config["nav"] for page in entry.values()}
    assert listed == {p.name for p in (DOCS / config["docs_dir"]).glob("*.md")}


def test_the_manifest_keys_table_is_generated_from_the_loader():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    page = (DOCS / "pages" / "authoring.md").read_text()
    assert hooks.MARKER in page
    rendered = hooks.on_page_markdown(page)
    assert hooks.MARKER not in rendered
    for keys in KEYS.values():
        for key in keys:
            assert f"| `{key}` |" in rendered, key


def test_the_authoring_guides_worked_example_gives_a_verdict_on_every_wrong_answer():
    """The guide's hidden test, run as written: the reference passes it, and each wrong
    answer of ``rnnlab validate`` gets a verdict (a failure, or the student's own error)."""
    from autograder.authoring import CheckFailure
    from autograder.formats.manifest import current
    from autograder.grading.grade import reference
    from autograder.mutate.wrong_answers import WRONG_ANSWERS, StandIn
    from autograder.sandbox import StudentError

    page = (DOCS / "pages" / "authoring.md").read_text()
    section = page.split("## Hidden tests that survive wrong answers")[1]
    code = section.split("```python\n")[1].split("```")[0]
    namespace: dict = {}
    exec(compile(code, "authoring.md", "exec"), namespace)
    test = namespace["parts_reassemble_in_order"]
    lab = current()
    splits, ref = lab.question("splits"), reference(lab)
    assert test(ref, ref) is None
    failed = set()
    for wrong in WRONG_ANSWERS:  # anything but a verdict propagates, and fails this test
        try:
            test(StandIn(lab, splits, wrong), ref)
        except (CheckFailure, StudentError):
            failed.add(wrong.name)
    odd = next(w.name for w in WRONG_ANSWERS if w.name.startswith("odd values"))
    assert {"None", odd, "the answer with each part None", "raising ValueError"} <= failed
    assert "the answer with arrays as lists" not in failed  # lists will do: they are arrays
