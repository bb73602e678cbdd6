"""A real Dask cluster on this machine, for the tests and the benchmark: ``dask scheduler`` on
a free port and ``dask worker ADDRESS --nthreads 1 --nworkers 1`` processes, each in its own
process group (killed whole, sandboxes and all) and with its own TMPDIR (where its sandboxes'
files are: a leftover process names it)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DASK = Path(sys.executable).with_name("dask")


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]
    scratch: list[Path]
    """Each worker's TMPDIR."""

    def kill(self, process: subprocess.Popen) -> None:
        """Kill ``process``'s whole group: a dask worker, its nanny and its sandboxes."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(command: list[str], folder: Path, log: str, env: dict | None = None):
    with (folder / log).open("wb") as output:  # the child keeps its own copy
        return subprocess.Popen(
            [str(DASK), *command],
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )


@contextlib.contextmanager
def local_cluster(folder: Path, workers: int = 2) -> Iterator[Cluster]:
    """A scheduler and ``workers`` one-thread workers, all connected; always torn down."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    host, port = address.removeprefix("tcp://").split(":")
    scheduler = _start(
        ["scheduler", "--host", host, "--port", port, "--no-dashboard"], folder, "scheduler.log"
    )
    cluster = Cluster(address, scheduler, [], [])
    try:
        for i in range(workers):
            scratch = folder / f"worker{i}-tmp"
            scratch.mkdir()
            command = ["worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard"]
            cluster.workers.append(
                _start(command, folder, f"worker{i}.log", {"TMPDIR": str(scratch)})
            )
            cluster.scratch.append(scratch)
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
        yield cluster
    finally:
        for process in [*cluster.workers, scheduler]:
            cluster.kill(process)
