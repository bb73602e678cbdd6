"""Hidden tests of the ``rnn_backward`` question.

Every test hands the submission the reference's ``layers``, so a bug in
``rnn_forward`` costs only that question.
"""

import numpy as np

from autograder.authoring import (
    Array,
    CheckFailure,
    expect,
    expect_raises,
    expect_structure,
    numerical_gradient,
    relative_error,
    student_call,
)

from ._maths import gradient_band as _gradient_band
from ._maths import sigmoid
from ._mistakes import words

RTOL = 1e-6


def _problem(T=7, hidden_dim=5, output_dim=2, seed=0, scale=0.5) -> dict:
    """Weights N(0, scale): small enough to keep the sigmoids out of saturation."""
    rng = np.random.default_rng(seed)
    return {
        "x": rng.normal(0, 1, (T, 1)),
        "y": rng.normal(0, 1, (output_dim, 1)),
        "U": rng.normal(0, scale, (hidden_dim, T)),
        "W": rng.normal(0, scale, (hidden_dim, hidden_dim)),
        "V": rng.normal(0, scale, (output_dim, hidden_dim)),
    }


def _states(p):
    """Hidden states s_{-1}..s_{T-1} and pre-activations z_0..z_{T-1}."""
    s, states, pre = np.zeros((p["W"].shape[0], 1)), [], []
    states.append(s)
    for t in range(len(p["x"])):
        z = p["W"] @ s + p["U"][:, t : t + 1] * p["x"][t]
        s = sigmoid(z)
        pre.append(z)
        states.append(s)
    return states, pre


def _variant(p, k, *, derivative="s", error_every_step=False, extra_step=False):
    """The contract's backward pass with one of the known mistakes switched on."""
    x, y, U, W, V = p["x"], p["y"], p["U"], p["W"], p["V"]
    T = len(x)
    states, pre = _states(p)
    steps = T if k is None else min(k + extra_step, T)

    def slope(t):  # d sigmoid at step t, right or as the sheet writes it
        return states[t + 1] * (1 - states[t + 1]) if derivative == "s" else pre[t] * (1 - pre[t])

    error = V @ states[T] - y
    dU, dW, dV = np.zeros_like(U), np.zeros_like(W), error @ states[T].T
    delta = (V.T @ error) * slope(T - 1)
    for t in range(T - 1, T - 1 - steps, -1):
        dW += delta @ states[t].T
        dU[:, t : t + 1] += delta * x[t]
        delta = (W.T @ delta) * (slope(t - 1) if t else 0)
        if error_every_step and t:
            delta = delta + (V.T @ (V @ states[t] - y)) * slope(t - 1)
    return dU, dW, dV


def _mistakes(p, k) -> dict:
    states, _ = _states(p)
    layers = [{"s": states[t + 1], "prev_s": states[t]} for t in range(len(p["x"]))]
    return {
        words.SHEET_DERIVATIVE: _variant(p, k, derivative="add"),
        words.ERROR_EVERY_STEP: _variant(p, k, error_every_step=True),
        words.EXTRA_STEP: _variant(p, k, extra_step=True),
        words.SHEET_BACKWARD: words.sheet_backward(
            p["x"], p["y"], p["U"], p["W"], p["V"], layers, k
        ),
    }


def _student_gradients(sub, ref, p, k, y=None):
    layers = ref.rnn.rnn_forward(p["x"], p["U"], p["W"], p["V"])[1]
    y = p["y"] if y is None else y
    T, h, o = len(p["x"]), p["W"].shape[0], p["V"].shape[0]
    call = f"rnn_backward(T={T}, hidden_dim={h}, output_dim={o}, bptt_truncate={k})"
    got = student_call(
        call,
        lambda: sub.rnn.rnn_backward(p["x"], y, p["U"], p["W"], p["V"], layers, bptt_truncate=k),
    )
    shapes = (Array(p["U"].shape), Array(p["W"].shape), Array(p["V"].shape))
    return call, list(expect_structure(got, shapes, f"{call}: (dU, dW, dV)"))


def _matches_reference(sub, ref, ks_of_T):
    """The reference's gradients at each truncation ``ks_of_T(T)`` gives, on three sizes."""
    for seed, (T, h, o) in enumerate(((7, 5, 2), (9, 3, 1), (4, 6, 3))):
        p = _problem(T, h, o, seed)
        for k in ks_of_T(T):
            _matches_reference_at(sub, ref, p, k)


def _matches_reference_at(sub, ref, p, k):
    call, got = _student_gradients(sub, ref, p, k)
    layers = ref.rnn.rnn_forward(p["x"], p["U"], p["W"], p["V"])[1]
    expected = ref.rnn.rnn_backward(p["x"], p["y"], p["U"], p["W"], p["V"], layers, k)
    expect(
        got,
        list(expected),
        f"{call}: (dU, dW, dV)",
        rtol=RTOL,
        atol=1e-10,
        mistakes={name: list(v) for name, v in _mistakes(p, k).items()},
    )


def matches_reference_k_1(sub, ref):
    _matches_reference(sub, ref, lambda T: [1])


def matches_reference_k_2(sub, ref):
    _matches_reference(sub, ref, lambda T: [2])


def matches_reference_k_t_minus_1(sub, ref):
    _matches_reference(sub, ref, lambda T: [T - 1])


def matches_reference_k_t(sub, ref):
    _matches_reference(sub, ref, lambda T: [T, T + 3])


def matches_reference_k_none(sub, ref):
    _matches_reference(sub, ref, lambda T: [None])


def _loss(ref, p) -> float:
    y_hat = ref.rnn.rnn_forward(p["x"], p["U"], p["W"], p["V"])[0]
    return 0.5 * float(np.sum((y_hat - p["y"]) ** 2))


def _numerical_gradient(ref, p) -> list[np.ndarray]:
    """Central differences of the loss, in float64, with the reference's forward pass."""
    return [numerical_gradient(lambda: _loss(ref, p), p[name]) for name in ("U", "W", "V")]


def central_differences(sub, ref) -> str:
    p = _problem(T=12, hidden_dim=8, output_dim=1, seed=7, scale=0.3)
    call, got = _student_gradients(sub, ref, p, None)
    numeric = _numerical_gradient(ref, p)
    lines, worst = [], 0.0
    for name, analytic, approx in zip(("dU", "dW", "dV"), got, numeric, strict=True):
        if np.shape(analytic) != approx.shape:
            raise CheckFailure(
                f"{call}: {name} has shape {np.shape(analytic)}, expected {approx.shape}"
            )
        error = relative_error(np.asarray(analytic, dtype=float), approx)
        worst = max(worst, error)
        lines.append(f"{name}: relative error {error:.1e} ({_gradient_band(error)})")
    report = "; ".join(lines)
    if not worst < 1e-6:
        raise CheckFailure(
            f"{call} against central differences: {report}. "
            "Full back-propagation should agree below 1e-6"
        )
    return report


def refuses_bad_truncation(sub, ref):
    p = _problem()
    layers = ref.rnn.rnn_forward(p["x"], p["U"], p["W"], p["V"])[1]
    for k in (0, -2):
        expect_raises(
            "ValueError",
            lambda k=k: sub.rnn.rnn_backward(
                p["x"], p["y"], p["U"], p["W"], p["V"], layers, bptt_truncate=k
            ),
            f"rnn_backward(..., bptt_truncate={k})",
        )


def accepts_either_y_shape(sub, ref):
    """The clause is that y's two shapes mean the same: the two answers are compared with
    each other (and their shapes with the weights'), not with the reference's values,
    which the other tests check."""
    p = _problem(T=5, hidden_dim=4, output_dim=3, seed=3)
    answers = {}
    for y in (p["y"], p["y"].ravel()):
        call, got = _student_gradients(sub, ref, p, 3, y=y)
        for name, grad, weight in zip(
            ("dU", "dW", "dV"), got, (p["U"], p["W"], p["V"]), strict=True
        ):
            expect(
                np.shape(grad), weight.shape, f"{call} with y of shape {y.shape}: {name}'s shape"
            )
        answers[y.shape] = got
    (column, flat), (first, second) = answers, answers.values()
    expect(
        second,
        first,
        f"{call} with y of shape {flat} against y of shape {column}",
        rtol=RTOL,
        atol=1e-10,
    )
