"""Property tests (Hypothesis) for chapter 9: BPTT for both cells agrees
with central differences for random sequence lengths (1-8), batch sizes
(1-4), input sizes (1-3) and hidden sizes (1-5); truncated BPTT equals full
BPTT whenever the chunk is at least the sequence; checkpointed gradients
equal plain ones.

The bound is the one derived in ``test_properties.py`` for network
gradients: each parameter array as a whole, ``||a - n|| / max(||a|| + ||n||,
FLOOR)`` below ``NET_TOL = 1e-5`` with ``FLOOR = 1e-3``. The losses here stay
below 20 and every function is a composition of tanh, the sigmoid and
products, whose third derivatives are bounded by 2 per factor, so a central
difference with ``h = 1e-5`` errs by about 1e-9 per entry, as there.
"""

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bplib import checkpoint, rnn
from bplib.gradcheck import numerical_gradient

EXAMPLES = int(os.environ.get("BPLIB_PROPERTY_EXAMPLES", "100"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
H, FLOOR, NET_TOL = 1e-5, 1e-3, 1e-5

shapes = st.tuples(st.integers(1, 8), st.integers(1, 4), st.integers(1, 3), st.integers(1, 5))


def _problem(cell, S, n, d_in, d_h, seed, radius):
    rng = np.random.default_rng(seed)
    params = rnn.init_params(d_in, d_h, cell, d_out=2, radius=radius, rng=seed)
    params["b"] = params["b"] + 0.5 * rng.normal(size=params["b"].shape)
    return rng.normal(size=(S, n, d_in)), rng.normal(size=(n, 2)), params


def _normwise(a, n):
    return np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), FLOOR)


@PROPERTY
@given(cell=st.sampled_from(list(rnn.CELLS)), shape=shapes, seed=st.integers(0, 10**6),
       radius=st.floats(0.3, 2.0))
def test_bptt_matches_central_differences(cell, shape, seed, radius):
    X, T, params = _problem(cell, *shape, seed, radius)
    _, grads = rnn.loss_and_gradients(X, T, params, cell)
    for key in params:
        def f(v, key=key):
            return rnn.loss_and_gradients(X, T, {**params, key: v}, cell)[0]
        assert _normwise(grads[key], numerical_gradient(f, params[key].copy(), h=H)) < NET_TOL


@PROPERTY
@given(cell=st.sampled_from(list(rnn.CELLS)), shape=shapes, seed=st.integers(0, 10**6),
       extra=st.integers(0, 5))
def test_truncated_equals_full_when_the_chunk_covers_the_sequence(cell, shape, seed, extra):
    X, T, params = _problem(cell, *shape, seed, 1.0)
    _, full = rnn.loss_and_gradients(X, T, params, cell)
    _, cut = rnn.loss_and_gradients(X, T, params, cell, truncate=shape[0] + extra)
    for key in full:
        np.testing.assert_array_equal(cut[key], full[key])


@PROPERTY
@given(cell=st.sampled_from(list(rnn.CELLS)), shape=shapes, seed=st.integers(0, 10**6),
       schedule=st.sampled_from(checkpoint.SCHEDULES), knob=st.integers(0, 8))
def test_checkpointed_gradients_equal_plain_ones(cell, shape, seed, schedule, knob):
    X, T, params = _problem(cell, *shape, seed, 1.0)
    S, n = shape[:2]
    _, want = rnn.loss_and_gradients(X, T, params, cell)
    core = {k: params[k] for k in ("W_x", "W_h", "b")}
    chain = checkpoint.rnn_chain(X, core, cell)

    def loss_grad(state):
        dY = (state[0] @ params["W_y"] + params["b_y"] - T) / n
        return 0.0, (dY @ params["W_y"].T,) + tuple(np.zeros_like(s) for s in state[1:])
    kwargs = {"uniform": {"every": 1 + knob % S}, "revolve": {"slots": knob % S},
              "plain": {}}[schedule]
    _, got, _, _ = checkpoint.backprop(chain, chain.state0, loss_grad, schedule, **kwargs)
    for key in core:
        np.testing.assert_allclose(got[key], want[key], rtol=0, atol=1e-12)
