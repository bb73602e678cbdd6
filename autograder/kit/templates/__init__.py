"""The kit's and ``rnnlab new``'s templates, as files: ``kit/`` (the student kit's README,
``.gitignore``, GitHub workflow, default ``tests/conftest.py`` and ``tests/rnnlab_check.py``)
and ``new/`` (a new assignment's files). Placeholders are ``str.format``'s ``{name}``; a
literal brace is doubled (the two ``.py`` files have none: they are read as they are)."""

from pathlib import Path

HERE = Path(__file__).parent


def read(name: str) -> str:
    """The template ``name`` (a path below this folder), as text."""
    return (HERE / name).read_text(encoding="utf-8")
