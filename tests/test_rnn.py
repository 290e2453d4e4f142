"""Tests of ``bplib.rnn``: a hand-computed step, central differences for both
cells, truncation, the adjoints of the states, and validation."""

import numpy as np
import pytest

from bplib import rnn
from bplib.gradcheck import numerical_gradient


def _problem(cell, S=5, n=3, d_in=2, d_h=4, seed=0):
    rng = np.random.default_rng(seed)
    X, T = rng.normal(size=(S, n, d_in)), rng.normal(size=(n, 2))
    params = rnn.init_params(d_in, d_h, cell, d_out=2, radius=1.1, rng=seed)
    params["b"] = params["b"] + 0.1 * rng.normal(size=params["b"].shape)
    return X, T, params


def test_one_vanilla_step_by_hand():
    # x = 1, h0 = 0.5, W_x = 2, W_h = -1, b = 0.25: z = 2 - 0.5 + 0.25 = 1.75
    params = {"W_x": np.array([[2.0]]), "W_h": np.array([[-1.0]]), "b": np.array([0.25])}
    H, _ = rnn.forward(np.ones((1, 1, 1)), params, h0=np.array([[0.5]]))
    assert H[0, 0, 0] == pytest.approx(np.tanh(1.75), abs=1e-15)


def test_forward_shapes_and_states():
    X, _, params = _problem("lstm")
    core = {k: params[k] for k in ("W_x", "W_h", "b")}
    H, cache = rnn.forward(X, core, "lstm")
    assert H.shape == (5, 3, 4)
    assert len(cache.states) == 6 and len(cache.states[0]) == 2
    assert cache.nbytes > 0


@pytest.mark.parametrize("cell", list(rnn.CELLS))
def test_gradients_match_central_differences(cell):
    X, T, params = _problem(cell)
    _, grads = rnn.loss_and_gradients(X, T, params, cell)
    for key in params:
        def f(v, key=key):
            return rnn.loss_and_gradients(X, T, {**params, key: v}, cell)[0]
        numerical = numerical_gradient(f, params[key].copy(), h=1e-6)
        np.testing.assert_allclose(grads[key], numerical, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("cell", list(rnn.CELLS))
def test_backward_with_a_loss_at_every_step(cell):
    X, _, params = _problem(cell)
    core = {k: params[k] for k in ("W_x", "W_h", "b")}
    R = np.random.default_rng(5).normal(size=(5, 3, 4))  # L = sum(R * H)
    H, cache = rnn.forward(X, core, cell)
    grads, _ = rnn.backward(R, core, cache)
    for key in core:
        def f(v, key=key):
            return float(np.sum(R * rnn.forward(X, {**core, key: v}, cell)[0]))
        np.testing.assert_allclose(grads[key], numerical_gradient(f, core[key].copy()),
                                   rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("cell", list(rnn.CELLS))
def test_truncation_at_or_beyond_the_length_is_full_bptt(cell):
    X, T, params = _problem(cell)
    _, full = rnn.loss_and_gradients(X, T, params, cell)
    for k in (5, 6, 100):
        _, cut = rnn.loss_and_gradients(X, T, params, cell, truncate=k)
        for key in full:
            np.testing.assert_array_equal(cut[key], full[key])


def test_truncation_keeps_only_the_last_chunk_for_a_loss_at_the_end():
    # S = 5, chunks of 2 from the start: [0, 1], [2, 3], [4]; the loss reads h_5 only,
    # so only step 5's input weight row receives a gradient through W_x's use at t = 4
    X, T, params = _problem("vanilla")
    _, cut = rnn.loss_and_gradients(X, T, params, truncate=2)
    core = {k: params[k] for k in ("W_x", "W_h", "b")}
    H, cache = rnn.forward(X, core)
    Y = H[-1] @ params["W_y"] + params["b_y"]
    dH = np.zeros_like(H)
    dH[-1] = (Y - T) / 3 @ params["W_y"].T
    delta = dH[-1] * (1 - H[-1] ** 2)
    np.testing.assert_allclose(cut["W_x"], X[-1].T @ delta, atol=1e-15)
    np.testing.assert_allclose(cut["W_h"], H[-2].T @ delta, atol=1e-15)
    _, full = rnn.loss_and_gradients(X, T, params)
    assert not np.allclose(cut["W_h"], full["W_h"])


@pytest.mark.parametrize("cell", list(rnn.CELLS))
def test_state_gradients_match_central_differences(cell):
    X, _, params = _problem(cell, S=4)
    core = {k: params[k] for k in ("W_x", "W_h", "b")}
    g = np.random.default_rng(2).normal(size=(3, 4))
    _, cache = rnn.forward(X, core, cell)
    adj = rnn.state_gradients(g, core, cache)
    assert adj.shape == (5, 3, 4)
    h0 = np.random.default_rng(3).normal(size=(3, 4)) * 0.1
    c0 = np.zeros((3, 4))
    start = h0 if cell == "vanilla" else (h0, c0)
    _, cache = rnn.forward(X, core, cell, h0=start)
    adj = rnn.state_gradients(g, core, cache)

    def f(v):
        return float(np.sum(g * rnn.forward(X, core, cell, h0=v if cell == "vanilla"
                                            else (v, c0))[0][-1]))
    np.testing.assert_allclose(adj[0], numerical_gradient(f, h0.copy()), rtol=1e-5,
                               atol=1e-9)
    np.testing.assert_array_equal(adj[-1], g)


def test_spectral_radius_of_init():
    for r in (0.5, 1.0, 2.0):
        W_h = rnn.init_params(3, 6, radius=r, rng=1)["W_h"]
        assert np.max(np.abs(np.linalg.eigvals(W_h))) == pytest.approx(r)
        assert np.linalg.norm(W_h, 2) == pytest.approx(r)
    p = rnn.init_params(3, 6, "lstm", forget_bias=2.5, rng=1)
    assert p["W_h"].shape == (6, 24) and np.all(p["b"][6:12] == 2.5)
    assert np.all(p["b"][:6] == 0)


def test_lstm_with_open_forget_gate_keeps_the_gradient_longer():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 8, 3))
    norms = {}
    for cell, fb in (("vanilla", 0.0), ("lstm", 5.0)):
        params = rnn.init_params(3, 16, cell, radius=1.0, forget_bias=fb, rng=1)
        _, cache = rnn.forward(X, params, cell)
        adj = rnn.state_gradients(np.ones((8, 16)), params, cache)
        norms[cell] = np.linalg.norm(adj[0]) / np.linalg.norm(adj[-1])
    assert norms["lstm"] > 100 * norms["vanilla"]


def test_inputs_are_not_modified():
    X, T, params = _problem("lstm")
    before = {k: v.copy() for k, v in params.items()}
    X0 = X.copy()
    rnn.loss_and_gradients(X, T, params, "lstm", truncate=2)
    np.testing.assert_array_equal(X, X0)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


def test_backward_rejects_a_foreign_cache():
    with pytest.raises(TypeError, match="cache must be the Cache returned by forward"):
        rnn.backward(np.zeros((1, 1, 1)), rnn.init_params(1, 1), {"X": 1})


def test_cache_counts_a_shared_state_once():
    # the vanilla cell keeps h_t both as a state and for its backward pass:
    # S + 1 states of n x d_h float64 numbers, counted once each
    X, _, params = _problem("vanilla")
    core = {k: params[k] for k in ("W_x", "W_h", "b")}
    H, cache = rnn.forward(X, core, "vanilla")
    S, n, d_h = H.shape
    assert cache.nbytes == (S + 1) * n * d_h * 8
