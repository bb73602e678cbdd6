"""How fast ``rnnlab mutate`` grades: mutants per minute, by number of worker processes.

Two fixed samples (``mutate.sample``, seed 0), each timed with every worker
count in ``--workers``, start-up of the worker processes included:

- numpy: ``--numpy`` mutants spread over the six numpy questions (~1 s each alone);
- TensorFlow: ``--tensorflow`` mutants of ``lstm_graph`` (a graph, sessions: ~10 s each).

On 2 cores the default (``mutate.WORKERS``) should be the fastest row.

    python benchmarks/bench_mutate.py [--numpy 30] [--tensorflow 6] [--workers 1 2 3]
"""

import argparse
import sys
import time

from autograder import mutate
from autograder.formats.manifest import current as current_assignment

LAB = current_assignment()


def per_minute(mutants: list[mutate.Mutant], workers: int) -> tuple[float, int]:
    """Mutants graded per minute, and how many of them were grader faults."""
    start = time.perf_counter()
    results = mutate.run(mutants, workers=workers, equivalent={})
    seconds = time.perf_counter() - start
    faults = sum(r.status == "grader-fault" for r in results)
    return 60 * len(mutants) / seconds, faults


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numpy", type=int, default=30)
    parser.add_argument("--tensorflow", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    numpy_questions = [q for q in LAB.questions if q.profile != "tensorflow"]
    tf_questions = [q for q in LAB.questions if q.profile == "tensorflow"]
    samples = {
        f"{args.numpy} numpy mutants": mutate.sample(mutate.generate(numpy_questions), args.numpy),
        f"{args.tensorflow} lstm_graph mutants": mutate.sample(
            mutate.generate(tf_questions), args.tensorflow
        ),
    }
    rates: dict[str, dict[int, float]] = {name: {} for name in samples}
    faults = 0
    for name, mutants in samples.items():
        for workers in args.workers:
            rates[name][workers], bad = per_minute(mutants, workers)
            faults += bad
            print(f"  {name}, {workers} workers: {rates[name][workers]:.1f} / min", flush=True)
    header = "".join(f"{f'{w} workers':>12s}" for w in args.workers)
    print(f"\nmutants graded per minute\n{'':28s}{header}")
    for name, row in rates.items():
        print(f"{name:28s}" + "".join(f"{row[w]:12.1f}" for w in args.workers))
    if faults:
        print(f"{faults} grader faults: see `rnnlab mutate`")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
