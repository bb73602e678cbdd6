"""The known mistakes' words, from the one file the public tests read them from too.

That file (``mistakes.py`` of the public tests, shipped to students) is loaded here by its
path, which the grading zip keeps relative to this folder as the repository does; so a
hidden test and a public test name a mistake in the same words.
"""

from pathlib import Path

from autograder.impl import fresh_name, load_file

PUBLIC = Path(__file__).resolve().parents[2] / "assignment" / "tests" / "mistakes.py"

words = load_file(PUBLIC, fresh_name("_rnnlab_mistakes"))
