"""One epoch of the sine data: the reference's ``rnn.train_epoch`` against the lab sheet's loop.

Both run here, interleaved, on the same data, sizes and ``bptt_truncate=5``;
the best of several rounds of each is compared, so a busy machine slows both
alike. Target: at least 20x.

    python benchmarks/bench_train_epoch.py [--rounds 5]
"""

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The lab's packages are the repository's folders: the engine installs none of them.
sys.path[:0] = [str(HERE), str(HERE.parent)]

from sheet_sine import sheet_train_epoch  # noqa: E402

from reference import rnn  # noqa: E402

TARGET = 20.0


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    X, Y, _, _ = rnn.sine_data()
    U, W, V = rnn.init_weights(seed=0)  # the sheet's sizes and uniform(0, 1)
    sheet, ours = [], []
    for _ in range(args.rounds):  # interleaved, so both see the same load
        sheet.append(timed(lambda: sheet_train_epoch(X, Y, U, W, V, bptt_truncate=5)))
        ours.extend(timed(lambda: rnn.train_epoch(X, Y, U, W, V, bptt_truncate=5)) for _ in "abc")
    ratio = min(sheet) / min(ours)
    print(f"one epoch of {len(X)} records, T={X.shape[1]}, hidden={W.shape[0]}, bptt_truncate=5")
    print(f"  lab sheet's loop     {min(sheet) * 1e3:8.1f} ms (best of {args.rounds})")
    print(f"  rnn.train_epoch      {min(ours) * 1e3:8.1f} ms (best of {len(ours)})")
    print(f"  speed-up             {ratio:8.1f}x (target {TARGET:.0f}x)")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
