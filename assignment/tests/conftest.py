"""Put the modules under test on the import path.

By default that is the folder above this one (your filled-in copy). Set
RNNLAB_IMPL to another folder to run these tests on it instead.
"""

import os
import sys
from pathlib import Path

IMPL = Path(os.environ.get("RNNLAB_IMPL", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(IMPL.resolve()))
