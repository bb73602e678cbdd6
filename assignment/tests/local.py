"""Your modules, as the public tests see them, and a runner for the notebook's checks.

``Submission`` gives ``sub.vocab``, ``sub.rnn``, ... (the modules in the folder
above this one, or in $RNNLAB_IMPL) and ``sub.probe.NAME(...)``, which runs
``probes.NAME`` on your ``lstm`` module. ``run`` runs one public test and says
``passed`` or what went wrong: the notebook's ``grader.check`` cells call it.
"""

import importlib
import os
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMPL = Path(os.environ.get("RNNLAB_IMPL", HERE.parent)).resolve()
for folder in (HERE, IMPL):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


class _Probes:
    def __getattr__(self, name):
        import probes

        function = getattr(probes, name)
        return lambda *args, **kwargs: function(importlib.import_module("lstm"), *args, **kwargs)


class Submission:
    probe = _Probes()

    def __getattr__(self, module):
        return importlib.import_module(module)


def run(module: str, test: str) -> str:
    """Run ``test_<test>`` of ``test_<module>.py`` on your modules: ``passed`` or why not."""
    function = getattr(importlib.import_module(f"test_{module}"), f"test_{test}")
    try:
        function(Submission())
    except KeyboardInterrupt:
        raise
    except NotImplementedError as error:
        return f"not written yet: {error}"
    # pytest's own failures (a pytest.raises that saw no error) are BaseExceptions.
    except BaseException as error:  # noqa: BLE001 - every failure becomes feedback
        frame = traceback.extract_tb(error.__traceback__)[-1]
        where = f"line {frame.lineno} of {Path(frame.filename).name}: {frame.line}"
        message = str(error) or "assertion failed"
        return f"{type(error).__name__}: {message}\n  at {where}"
    return "passed"
