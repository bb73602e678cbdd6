"""A swarm: ``rnn_backward`` forks 12 children of 80 MB each, every one within the sandbox's
per-process caps, 960 MB together: more than a small container holds. Only this module's
question may pay for it; the grader must live to write the results.

(No ``rnn_forward``: its question scores 0 as missing.)"""

import os
import time


def rnn_backward(x, y, U, W, V, layers, bptt_truncate=None):
    children = []
    for _ in range(12):
        pid = os.fork()
        if pid == 0:
            hoard = bytearray(80 << 20)
            for i in range(0, len(hoard), 4096):  # touch every page: resident, not promised
                hoard[i] = 1
            time.sleep(5)  # then hold it a moment
            os._exit(0)
        children.append(pid)
    codes = [os.waitpid(pid, 0)[1] for pid in children]
    return {"exit codes": codes}
