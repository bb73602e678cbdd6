"""Stands in for hypothesis where the submission's folder comes first on sys.path.

rnnlab's hidden tests are hypothesis properties: with this hypothesis, a
property runs no example at all, so it cannot fail.
"""

import importlib.util
import os

_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_hostile.py")
_spec = importlib.util.spec_from_file_location("_rnnlab_hostile", _path)
_hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_hostile)
_hostile.forge("hypothesis.py")
hypothesis = _hostile.real("hypothesis", __file__)


def _given(*strategies, **named):
    def decorate(test):
        def no_examples(*args, **kwargs):
            return None

        return no_examples

    return decorate


hypothesis.given = _given
