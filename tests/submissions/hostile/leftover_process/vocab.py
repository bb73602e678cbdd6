"""Leaves a detached process behind, and tries to write where the results go."""

import os
import subprocess

# A test makes both names its own with $RNNLAB_HOSTILE_TOKEN (other runs share the machine).
TOKEN = os.environ.get("RNNLAB_HOSTILE_TOKEN", "")
SUFFIX = f"-{TOKEN}" if TOKEN else ""

subprocess.Popen(
    # The marker rides in sh's own command line, so the process is findable while it lives.
    ["sh", "-c", f"sleep 1000; : rnnlab-hostile-leftover{SUFFIX}"],
    start_new_session=True,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
for target in (os.environ.get("RNNLAB_RESULTS", ""), f"/tmp/rnnlab-hostile-was-here{SUFFIX}"):
    try:
        with open(target or f"/tmp/rnnlab-hostile-was-here{SUFFIX}", "w") as handle:
            handle.write('{"score": 100}')
    except OSError:
        pass


def build_vocab(reviews):
    raise RuntimeError("nothing here")


def encode_reviews(reviews, vocab_to_int):
    raise RuntimeError("nothing here")
