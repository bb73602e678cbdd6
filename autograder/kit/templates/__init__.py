"""The kit's and ``rnnlab new``'s templates, as files: ``kit/`` (the student kit's README,
``.gitignore`` and GitHub workflow) and ``new/`` (a new assignment's files). Placeholders are
``str.format``'s ``{name}``; a literal brace is doubled."""

from pathlib import Path

HERE = Path(__file__).parent


def read(name: str) -> str:
    """The template ``name`` (a path below this folder), as text."""
    return (HERE / name).read_text(encoding="utf-8")
