"""An independent oracle for chapter 9: BPTT's gradients against autograd's.

The vanilla cell and the LSTM are written again here in their textbook form
with ``autograd.numpy`` (a Python loop over time, the sigmoid as
``1 / (1 + exp(-z))``, the four LSTM gates as four separate products), and
autograd's reverse mode differentiates the whole unrolled loss. Nothing is
shared with ``bplib.rnn``; both are exact up to round-off, so they must
agree to 1e-10 relative. Truncated BPTT is checked against autograd too: a
cut is a ``stop-gradient`` on the state, here a constant copy of it.
"""

import os

import numpy as np
import pytest

if os.environ.get("BPLIB_REQUIRE_ORACLE") == "1":
    import autograd  # noqa: F401
else:
    pytest.importorskip("autograd")

import autograd.numpy as anp  # noqa: E402
from autograd import grad  # noqa: E402
from autograd.tracer import getval  # noqa: E402

from bplib import checkpoint, rnn  # noqa: E402

RTOL, ATOL = 1e-10, 1e-13
KEYS = ("W_x", "W_h", "b", "W_y", "b_y")


def _sig(z):
    return 1.0 / (1.0 + anp.exp(-z))


def _vanilla(X, P, cut):
    h = anp.zeros((X.shape[1], P["W_h"].shape[0]))
    for t in range(X.shape[0]):
        if cut and t % cut == 0:
            h = getval(h)  # no gradient crosses the cut
        h = anp.tanh(anp.dot(X[t], P["W_x"]) + anp.dot(h, P["W_h"]) + P["b"])
    return h


def _lstm(X, P, cut):
    d = P["W_h"].shape[0]
    h = c = anp.zeros((X.shape[1], d))

    def gate(k, t, h):
        s = slice(k * d, (k + 1) * d)
        return anp.dot(X[t], P["W_x"][:, s]) + anp.dot(h, P["W_h"][:, s]) + P["b"][s]
    for t in range(X.shape[0]):
        if cut and t % cut == 0:
            h, c = getval(h), getval(c)
        i, f = _sig(gate(0, t, h)), _sig(gate(1, t, h))
        o, g = _sig(gate(2, t, h)), anp.tanh(gate(3, t, h))
        c = f * c + i * g
        h = o * anp.tanh(c)
    return h


CELLS = {"vanilla": _vanilla, "lstm": _lstm}


def _oracle(cell, X, T, params, cut=None):
    def loss(P):
        Y = anp.dot(CELLS[cell](X, P, cut), P["W_y"]) + P["b_y"]
        return anp.sum((Y - T) ** 2) / (2 * X.shape[1])
    return loss(params), grad(loss)(params)


def _case(cell, seed, S, n, d_in, d_h, radius):
    rng = np.random.default_rng(seed)
    params = rnn.init_params(d_in, d_h, cell, d_out=2, radius=radius, rng=seed)
    params["b"] = params["b"] + 0.3 * rng.normal(size=params["b"].shape)
    return rng.normal(size=(S, n, d_in)), rng.normal(size=(n, 2)), params


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL * max(1.0, float(np.max(np.abs(b)))))


CASES = [(seed, S, n, d_in, d_h, radius) for seed, (S, n, d_in, d_h, radius) in enumerate(
    [(1, 1, 1, 1, 0.5), (3, 2, 3, 4, 1.0), (8, 4, 2, 5, 1.5), (20, 3, 1, 3, 0.9),
     (12, 1, 4, 6, 2.0), (5, 5, 2, 2, 1.2)])]


@pytest.mark.parametrize("cell", list(rnn.CELLS))
@pytest.mark.parametrize("seed, S, n, d_in, d_h, radius", CASES)
def test_bptt_equals_autograd(cell, seed, S, n, d_in, d_h, radius):
    X, T, params = _case(cell, seed, S, n, d_in, d_h, radius)
    loss, grads = rnn.loss_and_gradients(X, T, params, cell)
    want_loss, want = _oracle(cell, X, T, params)
    assert loss == pytest.approx(float(want_loss), rel=RTOL)
    for key in KEYS:
        _close(grads[key], want[key])


@pytest.mark.parametrize("cell", list(rnn.CELLS))
@pytest.mark.parametrize("cut", [1, 2, 3, 7])
def test_truncated_bptt_equals_autograd_with_stopped_states(cell, cut):
    X, T, params = _case(cell, 4, 9, 3, 2, 4, 1.3)
    _, grads = rnn.loss_and_gradients(X, T, params, cell, truncate=cut)
    _, want = _oracle(cell, X, T, params, cut=cut)
    for key in KEYS:
        _close(grads[key], want[key])


@pytest.mark.parametrize("cell", list(rnn.CELLS))
@pytest.mark.parametrize("schedule", checkpoint.SCHEDULES)
def test_checkpointed_bptt_equals_autograd(cell, schedule):
    X, T, params = _case(cell, 6, 16, 2, 3, 3, 1.1)
    core = {k: params[k] for k in ("W_x", "W_h", "b")}
    chain = checkpoint.rnn_chain(X, core, cell)

    def loss_grad(state):
        Y = state[0] @ params["W_y"] + params["b_y"]
        dY = (Y - T) / 2
        return 0.0, (dY @ params["W_y"].T,) + tuple(np.zeros_like(s) for s in state[1:])
    _, grads, _, _ = checkpoint.backprop(chain, chain.state0, loss_grad, schedule)
    _, want = _oracle(cell, X, T, params)
    for key in core:
        _close(grads[key], want[key])
