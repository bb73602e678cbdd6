"""When students see a test's result: the answers a manifest's ``hidden_visibility`` can
give, each with what it means on every path (the manifest's guide, Gradescope, the kit)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Shown:
    meaning: str
    """What students see, and when (the authoring guide's words)."""
    gradescope: str
    """Gradescope's visibility of the test's entry in ``results.json``."""
    said: str
    """The kit's words: "a hidden test's result is shown <said>"."""


HIDDEN_VISIBILITY = {
    "hidden": Shown(
        "the result, with its feedback, after the due date", "after_due_date", "after the due date"
    ),
    "after_published": Shown(
        "the result, with its feedback, once the grades are published",
        "after_published",
        "once the grades are published",
    ),
    "pass_fail_now": Shown(
        "passed or failed at once; the feedback after the due date",
        "visible",
        "at once as passed or failed, with its feedback after the due date",
    ),
    "public": Shown(
        "the result, with its feedback, at once", "visible", "at once, with its feedback"
    ),
}
"""When students see a hidden test's result (``hidden_visibility``). ``pass_fail_now`` is a
visible entry that says only passed or failed, and, for a failed test, a second entry of no
points with the feedback, shown after the due date (Gradescope shows a test's entry whole or
not at all)."""
DEFAULT_HIDDEN_VISIBILITY = "pass_fail_now"
"""A failed hidden test warns at once that a clause is broken, and names it in its title,
without showing the case that broke it before the due date."""


def shown(visibility: str, hidden_visibility: str | None) -> str:
    """When a test's result is shown: ``public`` for a public test, else its
    ``hidden_visibility`` (None: the default)."""
    if visibility == "public":
        return "public"
    return hidden_visibility or DEFAULT_HIDDEN_VISIBILITY
