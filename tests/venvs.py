"""Fresh virtual environments that borrow the project's dependencies from this interpreter.

Installing TensorFlow, otter and the rest into every test venv would take minutes and
gigabytes; a ``.pth`` line adds this interpreter's site-packages instead. A ``.pth`` line
adds a folder without reading the ``.pth`` files in it, so this interpreter's editable
install of rnnlab does not come along: each venv installs rnnlab its own way.
"""

import site
import subprocess
import venv
from pathlib import Path


def with_our_dependencies(folder: Path) -> Path:
    """Make a venv at ``folder`` that sees our dependencies; return its python."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(purelib) / "rnnlab-test-deps.pth").write_text("\n".join(deps) + "\n")
    return python
