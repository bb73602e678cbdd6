"""MkDocs hook: the authoring guide's table of manifest keys, from the manifest loader's own."""

from autograder.formats.manifest import KEYS, TEST_KEYS
from autograder.model.visibility import HIDDEN_VISIBILITY

MARKER = "<!-- manifest-keys -->"


def on_page_markdown(markdown: str, **_) -> str:
    if MARKER not in markdown:
        return markdown
    rows = ["| table | key | what |", "| --- | --- | --- |"]
    for table, keys in KEYS.items():
        heading = "[[questions]]" if table == "questions" else f"[{table}]"
        rows += [f"| `{heading}` | `{key}` | {what} |" for key, what in keys.items()]
    rows.append(
        f"| a question's `tests.ID` | {', '.join(f'`{k}`' for k in sorted(TEST_KEYS))} | "
        "a test's points, visibility (`public` or `hidden`), title; a hidden test's "
        "public tests and its own visibility |"
    )
    visibility = "\n".join(
        f"- `{name}`: {what.meaning}" for name, what in HIDDEN_VISIBILITY.items()
    )
    table = "\n".join(rows).replace("<", "&lt;")
    return markdown.replace(MARKER, f"{table}\n\nWhat `hidden_visibility` can be:\n\n{visibility}")
