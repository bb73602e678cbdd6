"""Hidden tests of the ``rnn_forward`` question: the forward pass, the loss, clipping."""

import numpy as np
from hypothesis import given

from autograder.authoring import (
    CheckFailure,
    ListOf,
    expect,
    expect_structure,
    properties,
    student_call,
)

from . import _strategies as st
from ._maths import sigmoid
from ._mistakes import words

RTOL = 1e-6


def _whole_sequence_forward(x, U, W, V):
    """The sheet's prediction code: every step sees all of x (U @ x), not x[t]."""
    s = np.zeros((W.shape[0], 1))
    for _ in range(len(x)):
        s = sigmoid(W @ s + U @ x)
    return V @ s


def _tanh_forward(x, U, W, V):
    s = np.zeros((W.shape[0], 1))
    for t in range(len(x)):
        s = np.tanh(W @ s + U[:, t : t + 1] * x[t])
    return V @ s


def _sizes(p: dict) -> str:
    return f"T={p['U'].shape[1]}, hidden_dim={p['W'].shape[0]}, output_dim={p['V'].shape[0]}"


def _forward(sub, p):
    call = f"rnn_forward on a random record ({_sizes(p)})"
    got = student_call(call, lambda: sub.rnn.rnn_forward(p["x"], p["U"], p["W"], p["V"]))
    return call, expect_structure(got, (object, object), call)  # (y_hat, layers)


def forward_matches_reference(sub, ref):
    @properties(40)
    @given(st.rnn_problem())
    def prop(p):
        call, (y_hat, _) = _forward(sub, p)
        args = (p["x"], p["U"], p["W"], p["V"])
        expect(
            y_hat,
            ref.rnn.rnn_forward(*args)[0],
            f"{call}: y_hat",
            rtol=RTOL,
            mistakes={
                "the sheet's prediction code (all of x at every step)": _whole_sequence_forward(
                    *args
                ),
                words.TANH: _tanh_forward(*args),
            },
        )

    prop()


def layers_match_reference(sub, ref):
    @properties(25)
    @given(st.rnn_problem())
    def prop(p):
        call, (_, layers) = _forward(sub, p)
        expected = ref.rnn.rnn_forward(p["x"], p["U"], p["W"], p["V"])[1]
        layer = {"s": object, "prev_s": object}
        layers = expect_structure(layers, ListOf(layer, len(expected)), f"{call}: layers")
        for t, (got, want) in enumerate(zip(layers, expected, strict=True)):
            for key in ("s", "prev_s"):
                expect(got[key], want[key], f"{call}: layers[{t}][{key!r}]", rtol=RTOL)

    prop()


def loss_matches_reference(sub, ref):
    @properties(40)
    @given(st.rnn_problem(n_records=6))
    def prop(p):
        args = (p["X"], p["Y"], p["U"], p["W"], p["V"])
        call = f"rnn_loss on {len(p['X'])} random records ({_sizes(p)})"
        got = student_call(call, lambda: sub.rnn.rnn_loss(*args))
        if isinstance(got, np.ndarray) and got.size == 1:
            got = float(got.reshape(()))
        expected = ref.rnn.rnn_loss(*args)
        n, outputs = len(p["X"]), p["Y"].shape[1]
        _blame_the_forward_pass(sub, ref, p, got, expected, call)
        expect(
            got,
            expected,
            call,
            rtol=RTOL,
            mistakes={
                words.SHEET_LOSS: expected * n,
                words.NO_HALF: 2 * expected,
                "averaging over the outputs as well as over the records": (
                    expected / outputs if outputs > 1 else None
                ),
            },
        )

    prop()


def _blame_the_forward_pass(sub, ref, p, got, expected, call) -> None:
    """A wrong loss that is right for the submission's own ``y_hat``: the forward pass is wrong."""
    if isinstance(got, float) and np.isclose(got, expected, rtol=RTOL):
        return
    predictions = [
        student_call("rnn_forward", lambda x=x: sub.rnn.rnn_forward(x, p["U"], p["W"], p["V"]))
        for x in p["X"]
    ]
    try:
        own = np.mean(
            [
                0.5 * np.sum((np.asarray(y_hat, float).reshape(-1) - y) ** 2)
                for (y_hat, _), y in zip(predictions, p["Y"], strict=True)
            ]
        )
    except (TypeError, ValueError):  # a forward pass that returns something else
        return
    right = [ref.rnn.rnn_forward(x, p["U"], p["W"], p["V"])[0] for x in p["X"]]
    forward_wrong = any(
        np.shape(y_hat) != np.shape(r) or not np.allclose(y_hat, r, rtol=RTOL)
        for (y_hat, _), r in zip(predictions, right, strict=True)
    )
    if forward_wrong and isinstance(got, float) and np.isclose(got, own, rtol=RTOL):
        raise CheckFailure(
            f"{call}: this fails because rnn_forward's y_hat is wrong (the loss is right for "
            "the y_hat it returns)",
            see="forward_matches_reference",
        )


def clip_matches_reference(sub, ref):
    @properties(40)
    @given(st.gradients())
    def prop(case):
        grads, low, high = case
        call = f"clip_gradients(<{len(grads)} arrays>, {low!r}, {high!r})"
        got = student_call(call, lambda: sub.rnn.clip_gradients(grads, low, high))
        expect(
            got,
            ref.rnn.clip_gradients(grads, low, high),
            call,
            mistakes={
                words.UPPER_CLIP: [np.minimum(g, high) for g in grads],
                words.LOWER_CLIP: [np.maximum(g, low) for g in grads],
            },
        )

    prop()
