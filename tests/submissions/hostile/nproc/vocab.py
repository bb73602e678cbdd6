"""A fork bomb (with its own bound, so a tier without a process cap survives the test)."""

import os
import time

BOUND = 300


def bomb(bound=BOUND):
    """How many processes it started before the first refusal (they sleep on)."""
    started = 0
    while started < bound:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(600)
            os._exit(0)
        started += 1
    return started


def build_vocab(reviews):
    raise RuntimeError(f"started {bomb()} processes")


def encode_reviews(reviews, vocab_to_int):
    raise RuntimeError("nothing here")
