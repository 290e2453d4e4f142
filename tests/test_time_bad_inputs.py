"""Bad inputs to chapter 9's modules: each raises the right exception with a
message that names the argument, what was expected and what was received
(the same catalogue form as ``test_bad_inputs.py``)."""

import numpy as np
import pytest

from bplib import checkpoint, rnn

P = rnn.init_params(1, 4, rng=0)  # vanilla, d_in 1, d_h 4
PL = rnn.init_params(1, 4, "lstm", rng=0)
PY = rnn.init_params(1, 4, d_out=1, rng=0)
X = np.zeros((5, 2, 1))
CHAIN = checkpoint.rnn_chain(X, P)


def _lg(state):
    return 0.0, (np.ones_like(state[0]),)


def _cache():
    return rnn.forward(X, P)[1]


CASES = [
    ("sequence-of-length-0", lambda: rnn.forward(np.zeros((0, 2, 1)), P), ValueError,
     r"X must hold at least one time step, got shape \(0, 2, 1\)"),
    ("sequence-2d", lambda: rnn.forward(np.zeros((5, 1)), P), ValueError,
     r"X must be 3-D, got a 2-D array of shape \(5, 1\)"),
    ("empty-batch", lambda: rnn.forward(np.zeros((5, 0, 1)), P), ValueError,
     r"X must not be empty, got shape \(5, 0, 1\)"),
    ("hidden-size-mismatch-h0", lambda: rnn.forward(X, P, h0=np.zeros((2, 3))), ValueError,
     r"h0 must have shape \(n, d_h\) = \(2, 4\), got \(2, 3\)"),
    ("hidden-size-mismatch-W_h", lambda: rnn.forward(X, {**P, "W_h": np.zeros((4, 3))}),
     ValueError, r"W_h must have shape \(d_h, 1 d_h\) = \(4, 4\) for the vanilla cell, "
     r"got W_h.shape=\(4, 3\)"),
    ("lstm-with-vanilla-weights", lambda: rnn.forward(X, P, "lstm"), ValueError,
     r"W_h must have shape \(d_h, 4 d_h\) = \(4, 16\) for the lstm cell"),
    ("input-size-mismatch", lambda: rnn.forward(np.zeros((5, 2, 3)), P), ValueError,
     r"W_x must have shape \(3, 4\) for X with 3 features and hidden size 4, "
     r"got W_x.shape=\(1, 4\)"),
    ("bias-shape", lambda: rnn.forward(X, {**PL, "b": np.zeros(4)}, "lstm"), ValueError,
     r"b must have shape \(16,\), got b.shape=\(4,\)"),
    ("params-keys", lambda: rnn.forward(X, {"W": 1}), ValueError,
     r"params must have the keys W_x, W_h, b, got \['W'\]"),
    ("lstm-h0-not-a-pair", lambda: rnn.forward(X, PL, "lstm", h0=np.zeros((2, 4))),
     ValueError, r"h0 must hold 2 array\(s\) for the lstm cell, got 1"),
    ("unknown-cell", lambda: rnn.forward(X, P, "gru"), ValueError,
     r"unknown cell 'gru'; known cells are 'vanilla', 'lstm'"),
    ("non-finite-initial-state", lambda: rnn.forward(X, P, h0=np.full((2, 4), np.nan)),
     ValueError, r"h0 must be finite, got 8 NaN or infinite entries"),
    ("non-finite-sequence", lambda: rnn.forward(np.full((5, 2, 1), np.inf), P), ValueError,
     r"X must be finite, got 10 NaN or infinite entries"),
    ("non-finite-weights", lambda: rnn.forward(X, {**P, "W_h": np.full((4, 4), np.nan)}),
     ValueError, r"W_h must be finite, got 16 NaN or infinite entries"),
    ("truncate-zero", lambda: rnn.loss_and_gradients(X, np.zeros((2, 1)), PY, truncate=0),
     ValueError, r"truncate must be an integer >= 1, got 0"),
    ("truncate-float", lambda: rnn.backward(np.zeros((5, 2, 4)), P, _cache(), truncate=2.5),
     TypeError, r"truncate must be an integer, got 2.5"),
    ("dH-shape", lambda: rnn.backward(np.zeros((4, 2, 4)), P, _cache()), ValueError,
     r"dH must have shape \(S, n, d_h\) = \(5, 2, 4\), got \(4, 2, 4\)"),
    ("targets-shape", lambda: rnn.loss_and_gradients(X, np.zeros((2,)), PY), ValueError,
     r"T must be 2-D, got a 1-D array of shape \(2,\)"),
    ("targets-rows", lambda: rnn.loss_and_gradients(X, np.zeros((3, 1)), PY), ValueError,
     r"T must have shape \(n, d_out\) = \(2, 1\), got \(3, 1\)"),
    ("no-read-out", lambda: rnn.loss_and_gradients(X, np.zeros((2, 1)), P), ValueError,
     r"params must have a read-out W_y \(init_params\(..., d_out=k\)\)"),
    ("radius-zero", lambda: rnn.init_params(1, 4, radius=0), ValueError,
     r"radius must be a positive number, got 0"),
    ("hidden-size-zero", lambda: rnn.init_params(1, 0), ValueError,
     r"d_hidden must be an integer >= 1, got 0"),
    ("state-gradients-shape", lambda: rnn.state_gradients(np.zeros((2, 3)), P, _cache()),
     ValueError, r"g must have the shape of h_S, \(2, 4\), got \(2, 3\)"),
    ("checkpoint-interval-zero",
     lambda: checkpoint.backprop(CHAIN, CHAIN.state0, _lg, "uniform", every=0), ValueError,
     r"every must be an integer >= 1, got 0"),
    ("checkpoint-interval-negative",
     lambda: checkpoint.backprop(CHAIN, CHAIN.state0, _lg, "uniform", every=-3), ValueError,
     r"every must be an integer >= 1, got -3"),
    ("checkpoint-interval-beyond-S",
     lambda: checkpoint.backprop(CHAIN, CHAIN.state0, _lg, "uniform", every=6), ValueError,
     r"every must be an integer between 1 and S = 5, got 6"),
    ("checkpoint-interval-float",
     lambda: checkpoint.backprop(CHAIN, CHAIN.state0, _lg, "uniform", every=2.0), TypeError,
     r"every must be an integer, got 2.0"),
    ("revolve-slots-too-many",
     lambda: checkpoint.backprop(CHAIN, CHAIN.state0, _lg, "revolve", slots=5), ValueError,
     r"slots must be an integer between 0 and S - 1 = 4, got 5"),
    ("revolve-slots-negative",
     lambda: checkpoint.backprop(CHAIN, CHAIN.state0, _lg, "revolve", slots=-1), ValueError,
     r"slots must be an integer >= 0, got -1"),
    ("interval-with-the-wrong-schedule",
     lambda: checkpoint.backprop(CHAIN, CHAIN.state0, _lg, "plain", every=2), ValueError,
     r"every goes with schedule='uniform' and slots with 'revolve', got schedule='plain'"),
    ("unknown-schedule", lambda: checkpoint.backprop(CHAIN, CHAIN.state0, _lg, "sqrt"),
     ValueError, r"unknown schedule 'sqrt'; known schedules are 'plain', 'uniform', 'revolve'"),
    ("non-finite-checkpoint-state",
     lambda: checkpoint.backprop(CHAIN, (np.full((2, 4), np.inf),), _lg), ValueError,
     r"state0 must be finite, got 8 NaN or infinite entries"),
    ("revolve-steps-zero", lambda: checkpoint.revolve_steps(0, 2), ValueError,
     r"n must be an integer >= 1, got 0"),
]


@pytest.mark.parametrize("case, call, error, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case, call, error, message):
    with pytest.raises(error, match=message):
        call()
