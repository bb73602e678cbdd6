"""Fixtures shared by the framework's tests."""

import os
import random
from pathlib import Path

import pytest


@pytest.fixture
def own_assignment():
    """``--assignment`` sets RNNLAB_ASSIGNMENT for the process: undone after the test."""
    from autograder.formats import manifest

    saved = os.environ.get("RNNLAB_ASSIGNMENT")
    yield
    if saved is None:
        os.environ.pop("RNNLAB_ASSIGNMENT", None)
    else:
        os.environ["RNNLAB_ASSIGNMENT"] = saved
    manifest.current.cache_clear()


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


GOOD = ["great", "wonderful", "loved", "excellent", "brilliant", "superb"]
BAD = ["awful", "terrible", "hated", "boring", "worst", "dreadful"]
FILLER = ["the", "movie", "was", "a", "film", "plot", "actors", "it", "and", "story"]


@pytest.fixture
def tiny_data(tmp_path) -> Path:
    """A folder with 60 short reviews, alternating positive/negative, each with one telling word."""
    rng = random.Random(0)
    reviews, labels = [], []
    for i in range(60):
        positive = i % 2 == 0
        words = [rng.choice(FILLER) for _ in range(rng.randint(3, 8))]
        words.insert(rng.randint(0, len(words)), rng.choice(GOOD if positive else BAD))
        reviews.append(" ".join(words) + " .")
        labels.append("positive" if positive else "negative")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "reviews.txt").write_text("\n".join(reviews) + "\n")
    (folder / "labels.txt").write_text("\n".join(labels) + "\n")
    return folder
