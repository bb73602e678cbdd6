"""rnnlab's engine: the student kit, the lab runs and (later) grading.

Nothing here imports TensorFlow at import time; only the code that builds a
graph does.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The project folder, which holds ``reference/`` and ``assignment/``."""
