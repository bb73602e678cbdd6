"""Set up the sandbox, then become the worker.

Runs as ``python -I launcher.py CONFIG_JSON``, inside fresh mount, PID and
network namespaces made by ``unshare`` when the grader could make them
("namespaces" mode), or directly ("none" mode, limits only). In namespaces
mode, while it still holds the namespace's privileges, it

1. covers every hidden path (the project, the reference, the grader, the
   results, other submissions, the grader's home) with an empty tmpfs,
   putting back the Python installation where it lies under one of them;
2. makes every mount read-only except the sandbox's own work folder;
3. drops privileges for good: a separate user when the grader is root,
   otherwise an empty capability bounding set; and no new privileges.

Then it sets resource limits and ``exec``s the worker. Standard library only.
"""

import ctypes
import json
import os
import resource
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_RELATIME = 1 << 21
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
_OPTION_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}

libc = ctypes.CDLL(None, use_errno=True)


def mount(source, target, fstype, flags, data=None) -> None:
    encode = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    if libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def mount_points() -> list[tuple[str, int]]:
    """Every mount point with the flags it must keep when remounted."""
    points = []
    with open("/proc/self/mountinfo") as info:
        for line in info:
            fields = line.split()
            path = fields[4].replace("\\040", " ")
            flags = 0
            for option in fields[5].split(","):
                flags |= _OPTION_FLAGS.get(option, 0)
            points.append((path, flags))
    return points


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def hide(hidden: list[str], keep: list[str]) -> None:
    """Cover ``hidden`` with empty tmpfs; put back the ``keep`` paths lying under them.

    A kept path is reopened from a handle taken before the cover went on, so
    the bind mount reaches the original folder beneath the tmpfs.
    """
    hidden = [h for h in hidden if os.path.isdir(h)]
    handles = {k: os.open(k, os.O_PATH) for k in keep if any(inside(k, h) for h in hidden)}
    covered: list[str] = []
    for path in sorted(hidden, key=len):  # outer folders first
        if any(inside(path, c) for c in covered) and not any(inside(path, k) for k in keep):
            continue
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
        covered.append(path)
        for kept, handle in handles.items():
            if inside(kept, path) and not os.path.exists(kept):
                os.makedirs(kept)
                mount(f"/proc/self/fd/{handle}", kept, None, MS_BIND | MS_REC)


def read_only_everywhere(work: str) -> list[str]:
    """Remount every mount read-only except the work folder; return those that refused."""
    refused = []
    for path, flags in mount_points():
        if inside(path, work) or inside(path, "/proc") or inside(path, "/sys"):
            continue
        try:
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError:
            refused.append(path)
    return refused


def drop_privileges(uid: int | None) -> None:
    if uid is not None:  # the grader is root: become a user that owns nothing
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    else:  # a user namespace: keep the mapped uid, lose every capability
        for cap in range(64):
            libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")


def set_limits(limits: dict) -> None:
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


def main() -> None:
    config = json.loads(sys.argv[1])
    work = config["work"]
    if config["mode"] == "namespaces":
        hide(config["hidden"], config["keep"])
        mount(work, work, None, MS_BIND | MS_REC)  # its own mount, so it can stay writable
        if config["uid"] is not None:
            os.chown(work, config["uid"], config["uid"])
            for folder, dirs, files in os.walk(work):
                for name in dirs + files:
                    os.lchown(os.path.join(folder, name), config["uid"], config["uid"])
        refused = read_only_everywhere(work)
        if "/" in refused:
            raise SystemExit("sandbox: could not make the file system read-only")
        drop_privileges(config["uid"])
    set_limits(config["limits"])
    os.chdir(work)
    os.execve(config["argv"][0], config["argv"], config["env"])


if __name__ == "__main__":
    main()
