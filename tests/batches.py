"""What the batch tests share: reading a gradebook, and Ctrl-C after its first row."""

import csv
import os
import signal
import subprocess
import time
from pathlib import Path


def read(gradebook: Path) -> list[dict]:
    with gradebook.open(newline="") as handle:
        return list(csv.DictReader(handle))


def wait_for_a_row(gradebook: Path, seconds: float = 120) -> None:
    """Return once ``gradebook`` has a row (or after ``seconds``: the test's asserts say why)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (not gradebook.exists() or len(read(gradebook)) < 1):
        time.sleep(0.1)


def interrupt_after_first_row(
    process: subprocess.Popen, gradebook: Path, group: bool = False
) -> tuple[bytes, list[dict]]:
    """Ctrl-C ``process`` (a ``grade-all``; ``group``: its whole process group) once its
    gradebook has a row; what it printed on stderr, and the rows it kept."""
    wait_for_a_row(gradebook)
    if group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=30)
    finally:
        os.killpg(process.pid, signal.SIGKILL) if process.poll() is None else None
    return err, read(gradebook)
