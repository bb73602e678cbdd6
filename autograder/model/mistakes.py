"""How feedback names a known mistake: the phrasings the engine and the hidden tests write,
and the names read back out of any of them (the class page counts each mistake it finds).

A phrasing is a sentence with ``{}`` where the mistake's name goes. A new phrasing is added
here, and every report counts it.
"""

import re

GIVES = "This is what {} gives"
"""``authoring.expect``'s: the student's answer is exactly what the mistake gives."""
PART_GIVES = "Part of this is what {} gives"
"""``authoring.expect``'s: a part of the answer (an item, a row) is what the mistake gives."""
LIKELY_CAUSE = "A likely cause: {}"
"""A test that cannot compute the mistake's answer names the likely cause of what it saw."""
PHRASINGS = (GIVES, PART_GIVES, LIKELY_CAUSE)


def _pattern(phrasing: str) -> re.Pattern:
    head, _, tail = (re.escape(part) for part in phrasing.partition("{}"))
    # a name ends where its sentence does: at the phrasing's own words, or a full stop
    end = r"(?=$|[\s.,;:)])" if tail else r"(?=\.(?:\s|$)|;\s|$)"
    return re.compile(f"{head}(.+?){tail}{end}", re.MULTILINE)


PATTERNS = tuple(_pattern(p) for p in PHRASINGS)


def named(feedback: str) -> list[str]:
    """The mistakes ``feedback`` names, in any phrasing, each once, in order."""
    found = [(m.start(), m.group(1).strip()) for p in PATTERNS for m in p.finditer(feedback)]
    return list(dict.fromkeys(name for _, name in sorted(found)))
