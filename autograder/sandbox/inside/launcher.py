"""Set up the sandbox, then become the worker.

Runs as ``python -I launcher.py CONFIG_JSON``, started by ``Sandbox`` in one of
three tiers (``config["tier"]``). Standard library only: the grader imports it
too, for ``remove_user_traces``.

``namespaces``: inside fresh mount, PID, network, IPC and UTS namespaces made
by ``unshare``. While it still holds the namespace's privileges it

1. joins the sandbox's cgroups (memory and process caps, one kill switch);
2. builds a NEW, EMPTY root file system (a tmpfs) holding only what the
   worker needs: the system libraries and the Python installation bound in
   read-only (rnnlab's own packages covered by empty file systems), a few
   generated files in ``/etc``, five device nodes, a fresh ``/proc``, the
   runtime files (read-only), and ``/sandbox``: a size-limited tmpfs (the
   sandbox's whole disk quota) holding the submission's copy (``work``, also
   HOME), ``tmp`` (``/tmp``, TMPDIR) and ``shm`` (``/dev/shm``);
3. ``pivot_root``s into it and detaches the machine's file system: nothing
   else of the machine exists inside (an allow-list, not a list of things to
   hide);
4. drops privileges for good: its own unprivileged user (root grader) or an
   empty capability bounding set (user namespace); no new privileges; and a
   parent-death signal set after the last identity change.

``permissions`` (root grader, no namespaces): the grader has already made
the project unreadable to other users. The launcher stays as a root guard
and forks the worker, which joins the cgroups, becomes the sandbox's own user
and sets its limits. When the worker ends, or the grader dies (its end of the
requests pipe closes), the guard kills every process of that user, removes
its IPC objects and temporary files, and exits as the worker did.

``none``: limits only; the worker runs as the grader.

Then it sets resource limits and ``exec``s the worker.

Why one file of over 500 lines: it is the one script that runs before anything else can be
imported in the sandbox (``python -I``, the runtime folder not yet mounted), so the three
tiers' set-up and the root guard travel together.
"""

import base64
import ctypes
import json
import os
import platform
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

if __package__:
    from . import confine
else:  # run as a script (python -I): its own folder is not on the path
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import confine  # noqa: E402

    del sys.path[0]

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_MOVE, MS_REC = 32, 1024, 2048, 4096, 8192, 16384
MS_RELATIME = 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
IPC_RMID = 0
_OPTION_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}
# glibc has no pivot_root wrapper; where the number is unknown, MS_MOVE + chroot is used.
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
DEVICES = ("null", "zero", "full", "random", "urandom")
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/run/lock", "/var/lock")
"""Where a user without a folder of its own can still write (permissions tier)."""

libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def mount(source, target, fstype, flags, data=None) -> None:
    encode = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    result = libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data))
    _check(result, f"mount {target}")


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def mount_points() -> list[tuple[str, int]]:
    """Every mount point with the flags it must keep when remounted."""
    points = []
    with open("/proc/self/mountinfo") as info:
        for line in info:
            fields = line.split()
            flags = 0
            for option in fields[5].split(","):
                flags |= _OPTION_FLAGS.get(option, 0)
            points.append((_unescape(fields[4]), flags))
    return points


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


# -- the namespaces tier: a new root holding only the allow-list ----------------------


def _bind(source: str, target: str, root: str, bound: list[str]) -> None:
    """Bind ``source`` (a folder or a file) at ``target``, making the mount point.

    The mount point is made in the new root's own tmpfs only: never through a
    link, nor inside a folder already bound in (still writable at this point,
    so a folder made there would be made on the machine's disk).
    """
    existing = os.path.dirname(target)
    while not os.path.lexists(existing):
        existing = os.path.dirname(existing)
    real = os.path.realpath(existing)
    if not inside(real, root) or any(inside(real, root + b) for b in bound):
        raise OSError(f"sandbox: no room for {target} in the new root")
    os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    elif not os.path.exists(target):
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o644))
    mount(source, target, None, MS_BIND | MS_REC)


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o644)


def build_root(config: dict) -> None:
    """Make ``config["root"]`` a tmpfs holding only the allow-list (see the module's doc).

    Nothing is created on the machine's file systems: folders and files are made
    only in the new tmpfs, never under a path already bound in (those binds are
    still writable until ``read_only`` runs).
    """
    root, uid = config["root"], config["uid"]
    owner = 0 if uid is None else uid
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,nr_inodes=4096,mode=755")
    bound: list[str] = []
    for path in config["system"]:  # /usr, /lib, ...: a merged-/usr link stays a link
        if os.path.islink(path):
            os.symlink(os.readlink(path), root + path)
        elif os.path.isdir(path):
            _bind(path, root + path, root, bound)
            bound.append(path)
    for path in config["binds"]:  # the Python installation, at the same paths
        if os.path.exists(path) and not any(inside(path, b) for b in bound):
            _bind(path, root + path, root, bound)
            bound.append(path)
    for path in config["covers"]:  # rnnlab's own packages where they lie in a bound folder
        if os.path.isdir(root + path) and not os.path.islink(root + path):
            mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV, "size=4k,mode=755")
    # /etc: only what the loader and Python look at. Users and groups are generated,
    # so the machine's accounts are not listed; glibc without localtime uses UTC.
    for path in config["etc"]:
        if os.path.isfile(path):
            _bind(path, root + path, root, bound)
    _write(
        f"{root}/etc/passwd",
        f"root:x:0:0:root:/:/usr/sbin/nologin\nsandbox:x:{owner}:{owner}::{config['home']}:"
        "/usr/sbin/nologin\n",
    )
    _write(f"{root}/etc/group", f"root:x:0:\nsandbox:x:{owner}:\n")
    _write(f"{root}/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n")
    _write(f"{root}/etc/hosts", "127.0.0.1 localhost\n")
    # /dev: the device nodes bound in (a tmpfs cannot make them without CAP_MKNOD in
    # a user namespace), and the usual links into /proc.
    os.mkdir(f"{root}/dev", 0o755)
    for name in DEVICES:
        _bind(f"/dev/{name}", f"{root}/dev/{name}", root, bound)
    for name, target in [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0")] + [
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ]:
        os.symlink(target, f"{root}/dev/{name}")
    # /sandbox: the one writable file system, its size the sandbox's whole disk quota.
    sandbox = f"{root}/sandbox"
    os.mkdir(sandbox, 0o755)
    quota = f"size={config['disk_bytes']},nr_inodes={config['inodes']},mode=755"
    mount("tmpfs", sandbox, "tmpfs", MS_NOSUID | MS_NODEV, quota)
    shutil.copytree(config["staging"], f"{sandbox}/work", symlinks=True)
    for name in ("tmp", "shm"):
        os.mkdir(f"{sandbox}/{name}", 0o700)
    for folder, dirs, files in os.walk(sandbox):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), owner, owner)
    os.chmod(f"{sandbox}/work", 0o700)
    if config["tmp"]:  # not when the Python installation itself lies in /tmp
        _bind(f"{sandbox}/tmp", f"{root}/tmp", root, bound)
    _bind(f"{sandbox}/shm", f"{root}/dev/shm", root, bound)
    _bind(config["runtime"], f"{root}/runtime", root, bound)
    # A fresh /proc, mounted while the machine's is still visible (a user namespace
    # may mount proc only then); it shows the sandbox's PID namespace alone.
    os.mkdir(f"{root}/proc", 0o555)
    mount("proc", f"{root}/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    writable = [sandbox, f"{root}/dev/shm", f"{root}/proc"] + [f"{root}/tmp"] * config["tmp"]
    read_only(root, writable)


def read_only(root: str, writable: list[str]) -> None:
    """Remount every mount under ``root`` read-only, nosuid, nodev (devices keep dev)."""
    devices = {f"{root}/dev/{name}" for name in DEVICES}
    for path, flags in mount_points():
        if not inside(path, root) or any(inside(path, w) for w in writable):
            continue
        extra = MS_NOSUID | MS_NOEXEC if path in devices else MS_NOSUID | MS_NODEV
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags | extra)


def enter_root(root: str) -> None:
    """Make ``root`` the root, and detach the machine's file system from this namespace."""
    os.chdir(root)
    number = _PIVOT_ROOT.get(platform.machine())
    if number is not None:
        # pivot_root(".", "."): the old root is stacked on the new one, then detached
        # (the pivot_root(2) manual's recipe; no folder for the old root is needed).
        _check(libc.syscall(number, b".", b"."), "pivot_root")
        _check(libc.umount2(b".", MNT_DETACH), "umount the old root")
    else:
        mount(root, "/", None, MS_MOVE)
        os.chroot(".")
    os.chdir("/")


# -- every tier ---------------------------------------------------------------------


def join_cgroups(folders: list[str]) -> None:
    """Move this process into each cgroup ("0" is the writer itself, in v1 and v2)."""
    for folder in folders:
        with open(os.path.join(folder, "cgroup.procs"), "w") as procs:
            procs.write("0")


def drop_privileges(uid: int | None) -> None:
    """Become ``uid`` (a root grader), or keep this uid with no capability at all (a user
    namespace's root, or the limits-only tier's grader, root included); no new privileges."""
    if uid is not None:  # the grader is root: become the sandbox's own user
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    else:
        drop_capabilities()
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


PR_SET_SECUREBITS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 28, 47, 4
SECURE_NO_ROOT = 0x2F
"""noroot, no_setuid_fixup and keep_caps locked: uid 0 gains nothing from ``exec``."""


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]


def drop_capabilities() -> None:
    """Lose every capability for good, even as uid 0: the bounding and ambient sets, and
    the secure bits that give root its capabilities back on ``exec`` (the first two need a
    capability to change: without one there is nothing to drop), then the sets themselves."""
    libc.prctl(PR_SET_SECUREBITS, SECURE_NO_ROOT, 0, 0, 0)
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    _check(libc.capset(ctypes.byref(header), (_CapData * 2)()), "capset")


def die_with_parent(parent: int, lifeline: int) -> None:
    """Be killed when the parent dies, and exit now if it (or the grader) already has.

    Changing uid clears the parent-death signal, so this runs after the last
    identity change. The parent may have died before the signal was set: then
    ``getppid`` has changed, or (a parent outside our PID namespace reads as 0)
    the grader's end of the requests pipe is closed.
    """
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent or grader_gone(lifeline):
        os._exit(1)


def grader_gone(lifeline: int) -> bool:
    """The grader holds the write end of ``lifeline``; it hangs up only when the grader dies."""
    poller = select.poll()
    poller.register(lifeline, 0)  # only hang-ups: a request waiting to be read is no news
    return any(event & (select.POLLHUP | select.POLLERR) for _, event in poller.poll(0))


def set_limits(limits: dict) -> None:
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


SANDBOX_OOM_SCORE, ZYGOTE_OOM_SCORE, GRADER_OOM_SCORE = 1000, 500, -500
"""``oom_score_adj``: when memory runs out, the kernel kills a submission's process first,
then a zygote (its sandboxes die with it, the grader's loss: ``SandboxLost``), the grader
last, so it lives to write the results."""


def set_oom_score(score: int, pid: str = "self") -> bool:
    """Set a process's ``oom_score_adj``; False where not allowed (lowering needs root)."""
    try:
        with open(f"/proc/{pid}/oom_score_adj", "w") as handle:
            handle.write(str(score))
        return True
    except OSError:
        return False


def confine_worker(config: dict) -> None:
    """Landlock, then the system-call allow-list (``confine``), where the grader asked."""
    rules = config.get("landlock")
    if rules:
        confine.restrict(rules["read"], rules["write"])
    if config.get("seccomp"):
        confine.load_seccomp(base64.b64decode(config["seccomp"]))


def become_worker(config: dict, parent: int, run: Callable[[], None] | None = None) -> None:
    """Drop privileges, set the limits, then ``exec`` the worker (or ``run`` it in place,
    in a child of a zygote that has the worker imported already)."""
    set_oom_score(SANDBOX_OOM_SCORE)  # raised before privileges go: only raising is allowed
    drop_privileges(config["uid"] if config["tier"] != "none" else None)
    confine_worker(config)
    die_with_parent(parent, config["lifeline"])
    set_limits(config["limits"])
    os.chdir(config["work"])
    if run is not None:
        run()
        os._exit(0)
    os.execve(config["argv"][0], config["argv"], config["env"])


# -- the permissions tier: a root guard that cleans up after the sandbox's user -------


def user_processes(uid: int, zombies: bool = False) -> list[int]:
    """Processes whose real, effective, saved or file-system uid is ``uid``.

    Zombies are left out unless asked for: they cannot be killed, only reaped by
    their parent, but they still count against a user's process limit.
    """
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except (OSError, ValueError):
            continue  # gone meanwhile
        uids = {int(u) for u in fields.get("Uid", "").split()}
        dead = fields.get("State", "").strip().startswith(("Z", "X"))
        if uid in uids and (zombies or not dead):
            pids.append(int(name))
    return pids


def kill_user(uid: int, patience: float = 10.0) -> bool:
    """SIGKILL every process of ``uid`` until none is left; True if none is.

    Repeated, because a process may fork while the list is read; the sandbox's
    process cap bounds how long that can go on.
    """
    deadline = time.monotonic() + patience
    while pids := user_processes(uid):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> None:
    """Make this process (the grader) the parent of every orphan among its descendants, so
    it can reap a killed sandbox's processes itself (``reap_user``), at once."""
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_user(uid: int, patience: float = 5.0) -> None:
    """Reap the dead processes of ``uid`` this process adopted: a zombie still shows its
    name and command line in /proc to every user, a channel to the next sandbox."""
    deadline = time.monotonic() + patience
    while (left := user_processes(uid, zombies=True)) and time.monotonic() < deadline:
        for pid in left:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass  # not ours: its own parent reaps it
        time.sleep(0.01)


def remove_user_ipc(uid: int) -> None:
    """Remove the SysV shared memory, message queues and semaphores owned or made by ``uid``."""
    calls = {
        "shm": lambda i: libc.shmctl(i, IPC_RMID, None),
        "msg": lambda i: libc.msgctl(i, IPC_RMID, None),
        "sem": lambda i: libc.semctl(i, 0, IPC_RMID),
    }
    for kind, remove in calls.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                header = table.readline().split()
                rows = [dict(zip(header, line.split(), strict=False)) for line in table]
        except OSError:
            continue
        id_column = "shmid" if kind == "shm" else ("msqid" if kind == "msg" else "semid")
        for row in rows:
            if str(uid) in (row.get("uid"), row.get("cuid")):
                remove(int(row[id_column]))


def remove_user_files(uid: int) -> None:
    """Remove what ``uid`` left in the world-writable folders (its processes are dead).

    As root, and with nothing of the user's running, ``rm -rf`` (which never
    follows links) removes even the folders it made unreadable.
    """
    for folder in WORLD_WRITABLE:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
            except OSError:
                continue
            subprocess.run(["rm", "-rf", "--", entry.path], capture_output=True, timeout=120)


def remove_user_traces(uid: int, cgroup_kill: str | None = None) -> bool:
    """Kill every process of ``uid``, then remove its IPC objects and temporary files."""
    if cgroup_kill:
        try:  # cgroup v2's kill switch: every process in it, atomically, forks included
            with open(cgroup_kill, "w") as switch:
                switch.write("1")
        except OSError:
            pass
    gone = kill_user(uid)
    remove_user_ipc(uid)
    remove_user_files(uid)
    return gone


def guard(config: dict, run: Callable[[], None] | None = None) -> None:
    """Fork the worker, wait for it or for the grader's death, clean up, exit as it did."""
    uid, lifeline = config["uid"], config["lifeline"]
    me = os.getpid()
    worker = os.fork()
    if worker == 0:
        try:
            join_cgroups(config["cgroups"])
            for folder, dirs, files in os.walk(config["work"]):
                for name in [folder] + [os.path.join(folder, n) for n in dirs + files]:
                    os.lchown(name, uid, uid)
            os.chmod(config["work"], 0o700)  # other sandboxes' users cannot look in
            become_worker(config, me, run)
        except BaseException as error:  # noqa: BLE001 - report any failure, never return
            print(f"sandbox: {error}", file=sys.stderr, flush=True)
        os._exit(127)
    os.close(config["replies"])  # the grader sees the worker's end as soon as it ends
    try:
        handle = os.pidfd_open(worker)
    except (AttributeError, OSError):  # before Linux 5.3: look every 100 ms instead
        handle = None
    poller = select.poll()
    if handle is not None:
        poller.register(handle, select.POLLIN)
    poller.register(lifeline, 0)
    status = None
    while status is None:
        events = poller.poll(None if handle is not None else 100)
        if grader_gone(lifeline):
            break
        if any(fd == handle for fd, _ in events) or handle is None:
            done, code = os.waitpid(worker, 0 if handle is not None else os.WNOHANG)
            status = code if done else None
    remove_user_traces(uid, config.get("cgroup_kill"))
    if status is None:
        _, status = os.waitpid(worker, 0)
    exit_as(status)


def exit_as(status: int) -> None:
    """End as a child with wait status ``status`` did: by the same signal, so the grader
    can name it, or with the same exit code."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if number not in (signal.SIGKILL, signal.SIGSTOP):  # theirs cannot be set: EINVAL
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
        os._exit(128 + number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def launch(config: dict, run: Callable[[], None] | None = None) -> None:
    """Set the sandbox up in this process (already in its namespaces), then become the
    worker (``become_worker``); never returns."""
    tier = config["tier"]
    if tier == "permissions":
        guard(config, run)
    parent = os.getppid()
    join_cgroups(config["cgroups"])
    if tier == "namespaces":
        socket.sethostname("sandbox")
        build_root(config)
        enter_root(config["root"])
    become_worker(config, parent, run)


# What ``unshare --mount --pid --net --ipc --uts --fork --kill-child`` (and, for a grader
# that is not root, ``--map-root-user``) does, for a zygote's child (``zygote.py``).
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_PRIVATE = 1 << 18


def unshare_namespaces(user_namespace: bool) -> None:
    """Enter new namespaces; return in their first process (PID 1), while this one stays
    outside as its parent, kills it if killed, and ends as it does."""
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET
    _check(libc.unshare(flags | (CLONE_NEWUSER if user_namespace else 0)), "unshare")
    if user_namespace:  # be root inside, as the grader's own uid outside
        for name, text in [
            ("setgroups", "deny"),
            ("uid_map", f"0 {uid} 1"),
            ("gid_map", f"0 {gid} 1"),
        ]:
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
    # Mounts made inside must not reach the machine's (unshare's default propagation).
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    outside = os.getpid()
    child = os.fork()
    if child == 0:
        _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
        if os.getppid() != 0 and os.getppid() != outside:  # 0: a parent in another PID namespace
            os._exit(1)
        return
    _, status = os.waitpid(child, 0)
    exit_as(status)


def main() -> None:
    # The new root's folders and files must have exactly the modes asked for, whatever
    # umask the grader had (a 077 one made /root in the new root unenterable).
    os.umask(0o022)
    launch(json.loads(sys.argv[1]))


if __name__ == "__main__":
    main()
