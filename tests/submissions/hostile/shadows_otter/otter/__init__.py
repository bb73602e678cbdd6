"""Stands in for otter where the submission's folder comes first on sys.path.

The notebook kernel's first cell is otter's own ``from otter import Notebook``:
this otter gives every OK test its full points.
"""

import importlib.util
import os

_here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "_rnnlab_hostile", os.path.join(_here, "_hostile.py")
)
_hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_hostile)
_hostile.forge("otter/")
otter = _hostile.real("otter", __file__)
try:
    from otter.test_files.abstract_test import TestFile

    TestFile.score = property(lambda self: self.possible)
except ImportError:
    pass
