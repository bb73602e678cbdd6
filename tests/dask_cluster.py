"""A real Dask cluster on this machine, for the tests and the benchmark: the class's
certificates (``certificates.init``), then ``dask scheduler`` on a free loopback port and
``dask worker tls://ADDRESS --nthreads 1`` processes started with the very commands ``rnnlab
cluster init`` prints (TLS, mutual), each in its own process group (killed whole, sandboxes
and all) and with its own TMPDIR (where its sandboxes' files are: a leftover process names
it)."""

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from autograder import ROOT
from autograder.batch import certificates, cluster

DASK = Path(sys.executable).with_name("dask")


@dataclass
class Cluster:
    address: str
    tls: Path
    """The class's certificates: ``grade-all --tls``."""
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]
    scratch: list[Path]
    """Each worker's TMPDIR."""

    def kill(self, process: subprocess.Popen) -> None:
        """Kill ``process``'s whole group: a dask worker, its nanny and its sandboxes."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def client(self):
        """A ``distributed.Client`` of this cluster, as ``grade-all --tls`` makes it."""
        return cluster.connect(self.address, certificates.client(self.tls))


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
def local_cluster(
    folder: Path, workers: int = 2, env: dict[str, str] | None = None
) -> Iterator[Cluster]:
    """A scheduler and ``workers`` one-thread workers (``env`` added to theirs), all connected
    over TLS; always torn down."""
    tls = folder / "tls"
    certificates.init(tls)
    port = _free_port()
    commands = certificates.setup_commands(tls, "127.0.0.1", port)
    scheduler_command, worker_command = (shlex.split(line)[1:] for _, line in commands[:2])
    scheduler = _start([*scheduler_command, "--host", "127.0.0.1"], folder, "scheduler.log")
    running = Cluster(f"tls://127.0.0.1:{port}", tls, scheduler, [], [])
    try:
        for i in range(workers):
            scratch = folder / f"worker{i}-tmp"
            scratch.mkdir()
            # PYTHONPATH: the workers grade with this checkout's engine, as the client does (the
            # venv's editable install may be another checkout's)
            own = {"TMPDIR": str(scratch), "PYTHONPATH": str(ROOT), **(env or {})}
            running.workers.append(_start(worker_command, folder, f"worker{i}.log", own))
            running.scratch.append(scratch)
        with running.client() as client:
            client.wait_for_workers(workers, timeout=120)
        yield running
    finally:
        for process in [*running.workers, scheduler]:
            running.kill(process)
