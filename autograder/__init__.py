"""rnnlab's engine: grading, the sandbox, the student kit and the otter zip.

It knows no assignment: each one is declared by its manifest (``manifest``).
Nothing here imports an assignment's libraries; its sandboxes do.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The project folder, which holds ``reference/`` and ``assignment/``."""
