"""Fixtures shared by the framework's tests."""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The verified copy of the movie-review data set, or skip.

    Looked for in $RNNLAB_SHARED_DATA (the folder itself, or one holding
    ``sentiment/``), else in ``shared/data/sentiment`` beside the repository.
    """
    env = os.environ.get("RNNLAB_SHARED_DATA")
    if env:
        candidates = [Path(env), Path(env) / "sentiment"]
    else:
        candidates = [Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"]
    for folder in candidates:
        if (folder / "reviews.txt.gz").is_file() or (folder / "reviews.txt").is_file():
            return folder
    looked = " or ".join(str(c) for c in candidates)
    pytest.skip(f"no copy of the real data set at {looked} (set RNNLAB_SHARED_DATA)")
