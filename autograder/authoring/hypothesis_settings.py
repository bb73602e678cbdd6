"""Hypothesis settings for grading: the same cases on every run, and no files left behind."""

import atexit
import functools
import shutil
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis import settings


@functools.cache
def _private_hypothesis_home() -> None:
    """Hypothesis keeps files (literals it gathers from local modules: the reference's and
    the hidden checks') in a home folder, by default the working directory: keep it private."""
    from hypothesis.configuration import set_hypothesis_home_dir

    home = tempfile.mkdtemp(prefix="rnnlab-hypothesis-")
    set_hypothesis_home_dir(home)
    atexit.register(shutil.rmtree, home, True)


def properties(max_examples: int = 60) -> "settings":
    """Hypothesis settings for grading: the same cases on every run, shrunk on failure.
    (Hypothesis is imported here, not with this module: public tests never need it.)"""
    from hypothesis import HealthCheck, Phase, settings

    _private_hypothesis_home()
    _not_the_strategys_random()
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        report_multiple_bugs=False,  # one failure, as a verdict, never an exception group
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )


RANDOM_BLAMED = "Do not use the `random` module inside strategies"
"""How Hypothesis starts the deprecation warning it gives when ``random``'s state changed
during a draw (``_not_the_strategys_random``)."""


def _not_the_strategys_random() -> None:
    """Hypothesis blames the strategy drawing for ANY change of the ``random`` module's state
    during a draw, whoever made it: another thread's (a Dask worker's own loop, a grade beside
    this one). The checks' strategies never use ``random`` (tests/lab/test_strategies.py draws
    them with that warning as an error), so it is never theirs: it is left out. Set at each
    ``properties()``: pytest resets the filters around each of its tests."""
    import warnings

    from hypothesis.errors import HypothesisDeprecationWarning

    warnings.filterwarnings("ignore", RANDOM_BLAMED, HypothesisDeprecationWarning)
