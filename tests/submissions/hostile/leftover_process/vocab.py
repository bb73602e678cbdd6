"""Leaves a detached process behind, and tries to write where the results go."""

import os
import subprocess

subprocess.Popen(
    # The marker rides in sh's own command line, so the process is findable while it lives.
    ["sh", "-c", "sleep 1000; : rnnlab-hostile-leftover"],
    start_new_session=True,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
for target in (os.environ.get("RNNLAB_RESULTS", ""), "/tmp/rnnlab-hostile-was-here"):
    try:
        with open(target or "/tmp/rnnlab-hostile-was-here", "w") as handle:
            handle.write('{"score": 100}')
    except OSError:
        pass


def build_vocab(reviews):
    raise RuntimeError("nothing here")


def encode_reviews(reviews, vocab_to_int):
    raise RuntimeError("nothing here")
