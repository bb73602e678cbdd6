"""The code that runs inside the sandbox, copied into its runtime folder: the standard library
and numpy only, and never ``import autograder`` (the import contract in pyproject.toml checks it).

Its files import each other by their bare names (``import wire``), as they sit side by side in
the runtime folder; the engine imports them as ``autograder.sandbox.inside.wire`` and the like.
"""

from pathlib import Path

INSIDE_CODE = Path(__file__).parent
"""The folder of the code that runs inside the sandbox."""
RUNTIME_FILES = ("worker.py", "wire.py", "launcher.py", "confine.py")
ZYGOTE = "zygote.py"
"""The runtime file a warm sandbox's zygote runs (``warm``)."""
HELPER = "rnnlab_helper.py"
"""The name a profile's helper gets in the worker's runtime folder."""
