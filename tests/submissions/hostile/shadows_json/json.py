"""Stands in for the standard library's json where the submission's folder comes first on sys.path.

The notebook kernel otter starts in the submission's folder imports json as it
starts, and the OK tests read the plugin's outcomes with it: this json says
every test passed.
"""

import importlib.util
import os

_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_hostile.py")
_spec = importlib.util.spec_from_file_location("_rnnlab_hostile", _path)
_hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_hostile)
_hostile.forge("json.py")
json = _hostile.real("json", __file__)
_load = json.load


class _AllPassed(dict):
    def get(self, key, default=None):
        return "passed"

    def __getitem__(self, key):
        return "passed"


def _forged_load(file, **options):
    value = _load(file, **options)
    return _AllPassed(value) if isinstance(value, dict) else value


json.load = _forged_load
