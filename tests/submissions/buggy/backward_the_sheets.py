"""loses: rnn_backward. The lab sheet's printed backward pass, as printed.
names: This is what the lab sheet's printed backward pass gives
"""

import numpy as np


def rnn_backward(x, y, U, W, V, layers, bptt_truncate=None):
    T = len(layers)
    k = T if bptt_truncate is None else bptt_truncate
    if k < 1:
        raise ValueError("bptt_truncate must be at least 1")
    y = np.reshape(y, (-1, 1))
    prev_s = layers[-1]["prev_s"]
    add = W @ prev_s + U[:, T - 1 : T] * x[T - 1]
    mulv = V @ layers[-1]["s"]
    dU, dV, dW = np.zeros(U.shape), np.zeros(V.shape), np.zeros(W.shape)
    dU_t, dW_t = np.zeros(U.shape), np.zeros(W.shape)
    dmulv = mulv - y
    for t in range(T):
        dV_t = np.dot(dmulv, np.transpose(layers[t]["s"]))
        dsv = np.dot(np.transpose(V), dmulv)
        ds = dsv
        dadd = add * (1 - add) * ds
        dprev_s = np.dot(np.transpose(W), dadd)
        for _ in range(t - 1, max(-1, t - k - 1), -1):
            ds = dsv + dprev_s
            dadd = add * (1 - add) * ds
            dW_i = np.dot(W, layers[t]["prev_s"])
            dprev_s = np.dot(np.transpose(W), dadd)
            new_input = np.zeros(x.shape)
            new_input[t] = x[t]
            dU_i = np.dot(U, new_input)
            dU_t += dU_i
            dW_t += dW_i
        dV += dV_t
        dU += dU_t
        dW += dW_t
    return dU, dW, dV
