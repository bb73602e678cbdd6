"""Starts a process in a session of its own, to live on after the sandbox and the grader."""

import os
import subprocess

MARKER = "rnnlab-hostile-outlives-" + os.environ.get("RNNLAB_HOSTILE_TOKEN", "0")

subprocess.Popen(
    ["sh", "-c", f"sleep 600; : {MARKER}"],
    start_new_session=True,
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)


def build_vocab(reviews):
    raise RuntimeError("nothing here")


def encode_reviews(reviews, vocab_to_int):
    raise RuntimeError("nothing here")
