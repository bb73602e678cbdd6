"""Peak memory of a grading run, the whole process tree: does it fit Gradescope's machine?

Runs a command (default: ``rnnlab grade reference -q``) and samples ``/proc``
every ``--interval`` seconds (50 ms): every process descended from it (the
grader, its sandboxes and their TensorFlow, the launchers; on the otter path
also otter and its kernel). It reports the peak of the tree's memory as a
container would be charged for it:

- **the tree** (the figure to hold against a container's limit; Gradescope's
  default is 768 MB): every process's private pages (anonymous memory, written
  copies of file pages), plus each mapped file's resident pages counted once,
  however many processes map it (python, numpy and TensorFlow's libraries are
  the same pages in every process).
- **RSS summed**: every process's resident set counted whole, shared files again
  in each process: an upper bound, what ``ps`` adds up to.

and the single process with the largest RSS. (PSS is no help on a shared
machine: other people's TensorFlow sharing the same library pages lowers it.)
Sampling can miss a peak shorter than the interval; the sandboxes' peaks last
seconds.

    python benchmarks/peak_memory.py                         # rnnlab grade reference
    RNNLAB_SANDBOX=none python benchmarks/peak_memory.py     # as in a Docker container
    python benchmarks/peak_memory.py -- python -m otter run -a dist/autograder.zip sub.zip
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADESCOPE_DEFAULT_MB = 768
MB = 1 << 20


@dataclass
class Memory:
    """One process's memory, in bytes."""

    private: int
    """Anonymous pages and written copies of file pages: this process's alone."""
    files: dict[tuple[str, str], int]
    """Resident, unwritten pages of each mapped file (by device and inode)."""
    command: str

    @property
    def rss(self) -> int:
        return self.private + sum(self.files.values())


@dataclass
class Peak:
    tree: int = 0
    private: int = 0
    rss: int = 0
    process_rss: int = 0
    process: str = ""
    samples: int = 0
    processes: int = 0
    at_peak: list[tuple[str, int, int]] = field(default_factory=list)
    """(command, private, RSS) of each process in the sample with the highest tree figure."""


def _children() -> dict[int, list[int]]:
    """Every process's children, from one pass over /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as file:
                stat = file.read()
        except OSError:  # gone since the listing
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ')'.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _tree(root: int) -> list[int]:
    children, tree, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def _memory(pid: int) -> Memory | None:
    """The memory of ``pid`` from its ``smaps``; None if it is gone."""
    private, files = 0, {}
    key, rss = None, 0
    try:
        with open(f"/proc/{pid}/smaps") as smaps:
            for line in smaps:
                name, _, rest = line.partition(":")
                if " " in name:  # a mapping's header: address range, perms, offset, dev, inode
                    fields = line.split()
                    inode = fields[4]
                    key = (fields[3], inode) if inode != "0" else None
                elif name == "Rss":
                    rss = int(rest.split()[0]) * 1024
                elif name == "Anonymous":  # comes after Rss in each mapping
                    anonymous = int(rest.split()[0]) * 1024
                    private += anonymous if key else rss
                    if key:
                        files[key] = files.get(key, 0) + rss - anonymous
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            command = file.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except (OSError, ValueError, IndexError):  # gone, or a kernel thread
        return None
    return Memory(private, files, command)


def _sample(pids: list[int], peak: Peak) -> None:
    tree = [m for m in map(_memory, pids) if m is not None]
    shared: dict[tuple[str, str], int] = {}
    for memory in tree:
        for key, size in memory.files.items():
            shared[key] = max(shared.get(key, 0), size)
    private = sum(m.private for m in tree)
    if private + sum(shared.values()) > peak.tree:
        peak.tree = private + sum(shared.values())
        peak.at_peak = [(m.command, m.private, m.rss) for m in tree]
    peak.private = max(peak.private, private)
    peak.rss = max(peak.rss, sum(m.rss for m in tree))
    for memory in tree:
        if memory.rss > peak.process_rss:
            peak.process_rss, peak.process = memory.rss, memory.command
    peak.processes = max(peak.processes, len(tree))
    peak.samples += 1


def measure(
    command: list[str], *, interval: float = 0.05, env: dict[str, str] | None = None
) -> tuple[Peak, int, float]:
    """Run ``command`` and sample its tree until it ends: (the peaks, its exit code, seconds)."""
    peak = Peak()
    # stderr to a file, not a pipe: a pipe nobody reads while sampling would fill and stall it.
    with tempfile.TemporaryFile() as errors:
        started = time.monotonic()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        while process.poll() is None:
            _sample(_tree(process.pid), peak)
            time.sleep(interval)
        seconds = time.monotonic() - started
        if process.returncode not in (0, 3):  # 3: rnnlab grade finished with a grader error
            errors.seek(0)
            print(errors.read().decode(errors="replace")[-3000:], file=sys.stderr)
    return peak, process.returncode, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between samples")
    parser.add_argument(
        "command",
        nargs="*",
        help="the command to measure, after '--' (default: rnnlab grade reference -q)",
    )
    args = parser.parse_args()
    command = args.command or [sys.executable, "-m", "autograder.cli", "grade", "reference", "-q"]
    peak, code, seconds = measure(command, interval=args.interval)
    print(f"command:   {' '.join(command)}")
    print(f"sandbox:   RNNLAB_SANDBOX={os.environ.get('RNNLAB_SANDBOX', '(unset)')}")
    print(f"exit code: {code}, {seconds:.1f} s, {peak.samples} samples")
    print(f"peak of the tree (files once): {peak.tree / MB:6.0f} MB")
    print(f"  of which private memory:     {peak.private / MB:6.0f} MB")
    print(f"peak RSS summed (files in each): {peak.rss / MB:4.0f} MB, {peak.processes} processes")
    print(f"largest process RSS:           {peak.process_rss / MB:6.0f} MB: {peak.process[:70]}")
    print("at the peak (private / RSS):")
    for command, private, rss in sorted(peak.at_peak, key=lambda p: -p[2]):
        print(f"  {private / MB:5.0f} / {rss / MB:4.0f} MB  {command[:90]}")
    fits = "fits" if peak.tree < GRADESCOPE_DEFAULT_MB * MB else "does NOT fit"
    print(f"Gradescope's default {GRADESCOPE_DEFAULT_MB} MB: {fits}")
    return 0 if code in (0, 3) else 1


if __name__ == "__main__":
    sys.exit(main())
