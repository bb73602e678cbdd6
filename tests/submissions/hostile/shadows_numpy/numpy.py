"""Stands in for numpy where the submission's folder comes first on sys.path.

Otter's process and its kernel import numpy (pandas does); so does a grader
that compares arrays: this numpy calls every pair of arrays equal.
"""

import importlib.util
import os

_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_hostile.py")
_spec = importlib.util.spec_from_file_location("_rnnlab_hostile", _path)
_hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_hostile)
_hostile.forge("numpy.py")
numpy = _hostile.real("numpy", __file__)
numpy.allclose = lambda *args, **kwargs: True
numpy.array_equal = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
numpy.testing.assert_array_equal = lambda *args, **kwargs: None
