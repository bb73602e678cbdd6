"""The hidden checks' hypothesis strategies are quiet: they never touch the ``random`` module,
and Hypothesis' warning that blames them for another thread's use of it is left out."""

import inspect
import subprocess
import sys
import textwrap
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import HypothesisDeprecationWarning

from autograder import ROOT
from autograder.authoring import RANDOM_BLAMED, properties
from reference.hidden_tests import _strategies

STRATEGIES = {
    name: value() if inspect.isfunction(value) else value
    for name, value in vars(_strategies).items()
    if not name.startswith("_")
    and (isinstance(value, st.SearchStrategy) or inspect.isfunction(value))
}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_a_strategy_of_the_lab_never_touches_random(name):
    assert isinstance(STRATEGIES[name], st.SearchStrategy), name
    settings = properties(30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", HypothesisDeprecationWarning)  # above properties' filter

        @settings
        @given(STRATEGIES[name])
        def drawn(value):
            pass

        drawn()


def test_another_threads_random_is_not_blamed_on_the_strategies():
    """As in a Dask worker, whose own loop uses ``random`` while a grade draws."""
    script = textwrap.dedent(
        """
        import random, threading, time, warnings
        warnings.simplefilter("default")
        from hypothesis import given
        from autograder.authoring import properties
        from reference.hidden_tests._strategies import rnn_problem

        running = True

        def another_thread():
            while running:
                random.random()
                time.sleep(0.0002)

        threading.Thread(target=another_thread, daemon=True).start()

        @properties(40)
        @given(rnn_problem(n_records=3))
        def drawn(problem):
            time.sleep(0.001)

        drawn()
        running = False
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert RANDOM_BLAMED not in done.stderr, done.stderr[-2000:]
