"""Leaves a 256 MiB System V shared memory segment and a message queue behind, and looks
for the ones another sandbox left (a channel between students, or to a later run)."""

import ctypes
import os

KEY = int(os.environ.get("RNNLAB_HOSTILE_KEY", "0x524e4c31"), 16)
SIZE = 256 << 20
IPC_CREAT = 0o1000
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]

FOUND = []
MADE = []


class Message(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 64)]


def _look():
    """What another sandbox left under the same keys."""
    segment = libc.shmget(KEY, 0, 0)
    if segment >= 0:
        address = libc.shmat(segment, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            FOUND.append(f"shm: {ctypes.string_at(address, 32)!r}")
        else:
            FOUND.append(f"shm {segment} (not readable: errno {ctypes.get_errno()})")
    queue = libc.msgget(KEY + 1, 0)
    if queue >= 0:
        message = Message()
        if libc.msgrcv(queue, ctypes.byref(message), 64, 0, 0o4000) >= 0:  # IPC_NOWAIT
            FOUND.append(f"queue: {message.mtext!r}")
        else:
            FOUND.append(f"queue {queue} (not readable: errno {ctypes.get_errno()})")


def _leave():
    segment = libc.shmget(KEY, SIZE, IPC_CREAT | 0o666)
    if segment >= 0:
        address = libc.shmat(segment, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memmove(address, b"the answers, from another sandbox", 32)
            ctypes.memset(address + 4096, 1, SIZE - 4096)  # really hold the memory
            MADE.append("shm")
    queue = libc.msgget(KEY + 1, IPC_CREAT | 0o666)
    if queue >= 0:
        message = Message(1, b"the answers, from another sandbox")
        if libc.msgsnd(queue, ctypes.byref(message), 64, 0o4000) == 0:
            MADE.append("queue")


_look()
_leave()


def report():
    return {"found": FOUND, "made": MADE}


def build_vocab(reviews):
    raise RuntimeError(f"found {FOUND}, made {MADE}")


def encode_reviews(reviews, vocab_to_int):
    raise RuntimeError(f"found {FOUND}, made {MADE}")
