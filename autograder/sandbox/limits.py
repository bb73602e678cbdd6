"""What one sandbox may use."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048
    """Address space per process; with a memory cgroup, also the sandbox's total."""
    cpu_seconds: int = 600
    file_mb: int = 64
    processes: int = 16
    """Processes and threads of the sandbox's user: the lab's heaviest question peaks at 9 (its
    library's thread pools held to two each), a numpy one at 3."""
    disk_mb: int = 256
    """The namespaces tier's tmpfs: the submission's folder, /tmp and /dev/shm together."""

    def rlimits(self, own_user: bool) -> dict[str, int]:
        """The resource limits the worker sets on itself (``RLIMIT_NPROC`` only for a
        sandbox's own user: it counts per user)."""
        limits = {
            "RLIMIT_AS": self.memory_mb << 20,
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_FSIZE": self.file_mb << 20,
            "RLIMIT_CORE": 0,
        }
        if own_user:
            limits["RLIMIT_NPROC"] = self.processes
        return limits
