"""Stands in for rnnlab's own package, ``autograder``, where the submission's folder comes first.

The OK tests of the first otter bridge ran ``from autograder.kit.otter_bridge import
outcome`` in a kernel started in the submission's folder: this package
answered "passed" to every one of them.
"""

import importlib.util
import os

_here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "_rnnlab_hostile", os.path.join(_here, "_hostile.py")
)
_hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_hostile)
_hostile.forge("autograder/")
