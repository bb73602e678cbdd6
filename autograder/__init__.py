"""rnnlab's engine: grading, the sandbox, the student kit and the otter zip.

It knows no assignment: each one is declared by its manifest (``formats.manifest``).
Nothing here imports an assignment's libraries; its sandboxes do. The packages and the
direction of their imports are in docs/pages/architecture.md (``lint-imports`` checks them).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The folder this engine sits in: in a checkout, the repository, which holds the lab's
``assignment/`` and ``reference/``; in an installed engine, its site-packages."""
