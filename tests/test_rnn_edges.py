"""Tests that kill mutants of bplib.rnn that the main tests let survive:
truncation reached through the public ``backward``, an initial state passed
to ``loss_and_gradients``, a read-out whose bias alone is wrong, caches that
do not belong, and whole messages naming the argument."""

import numpy as np
import pytest

from bplib import rnn

RNG = np.random.default_rng(6)
X = RNG.normal(size=(5, 2, 3))  # S = 5, n = 2, d_in = 3: S, n and d_h all differ
P = rnn.init_params(3, 4, d_out=1, radius=1.1, rng=1)
CORE = {k: P[k] for k in ("W_x", "W_h", "b")}


def test_backward_truncates_between_the_batch_size_and_the_length():
    """truncate = 3 lies between n = 2 and S = 5: it cuts, and is read against S."""
    H, cache = rnn.forward(X, CORE)
    dH = np.zeros_like(H)
    T = RNG.normal(size=(2, 1))
    dH[-1] = (H[-1] @ P["W_y"] + P["b_y"] - T) / 2 @ P["W_y"].T
    cut, _ = rnn.backward(dH, CORE, cache, truncate=3)
    full, _ = rnn.backward(dH, CORE, cache)
    _, expected = rnn.loss_and_gradients(X, T, P, truncate=3)
    for key in CORE:
        np.testing.assert_allclose(cut[key], expected[key], rtol=1e-13)
    assert not np.allclose(cut["W_h"], full["W_h"])


@pytest.mark.parametrize("cell", list(rnn.CELLS))
def test_loss_and_gradients_start_from_h0(cell):
    params = rnn.init_params(3, 4, cell, d_out=1, rng=2)
    core = {k: params[k] for k in ("W_x", "W_h", "b")}
    h0 = tuple(RNG.normal(size=(2, 4)) for _ in range(rnn.CELLS[cell].n_state))
    T = RNG.normal(size=(2, 1))
    loss, grads = rnn.loss_and_gradients(X, T, params, cell, h0=h0)
    H, cache = rnn.forward(X, core, cell, h0=h0)
    Y = H[-1] @ params["W_y"] + params["b_y"]
    assert loss == pytest.approx(np.sum((Y - T) ** 2) / 4, rel=1e-14)
    dH = np.zeros_like(H)
    dH[-1] = (Y - T) / 2 @ params["W_y"].T
    expected, _ = rnn.backward(dH, core, cache)
    np.testing.assert_allclose(grads["W_h"], expected["W_h"], rtol=1e-13)
    assert loss != pytest.approx(rnn.loss_and_gradients(X, T, params, cell)[0])


def test_a_read_out_with_the_wrong_bias_alone_is_refused():
    with pytest.raises(ValueError, match=r"^W_y must have shape \(4, d_out\) and b_y "
                                         r"\(d_out,\), got \(4, 1\) and \(2,\)$"):
        rnn.loss_and_gradients(X, np.zeros((2, 1)), {**P, "b_y": np.zeros(2)})


@pytest.mark.parametrize("call", [
    lambda cache: rnn.backward(np.zeros((5, 2, 4)), CORE, cache),
    lambda cache: rnn.state_gradients(np.zeros((2, 4)), CORE, cache),
])
def test_a_cache_of_another_kind_is_named(call):
    cache = rnn.forward(X, CORE)[1]
    with pytest.raises(TypeError, match=r"^cache must be the Cache returned by forward, "
                                        r"got tuple$"):
        call(tuple(vars(cache).values()))


def test_a_cache_of_another_sequence_is_refused():
    _, cache = rnn.forward(X, CORE)
    cache.states = cache.states[:-1]
    with pytest.raises(ValueError, match=r"^cache does not belong to this sequence$"):
        rnn.backward(np.zeros((5, 2, 4)), CORE, cache)


def test_backward_and_state_gradients_name_their_gradient():
    _, cache = rnn.forward(X, CORE)
    with pytest.raises(ValueError, match=r"^dH must be 3-D, got a 2-D array of shape "
                                         r"\(2, 4\)$"):
        rnn.backward(np.zeros((2, 4)), CORE, cache)
    with pytest.raises(TypeError, match=r"^dH must hold real numbers"):
        rnn.backward(np.full((5, 2, 4), "a"), CORE, cache)
    with pytest.raises(ValueError, match=r"^g must be 2-D, got a 3-D array of shape "
                                         r"\(1, 2, 4\)$"):
        rnn.state_gradients(np.zeros((1, 2, 4)), CORE, cache)
    with pytest.raises(TypeError, match=r"^g must hold real numbers"):
        rnn.state_gradients(np.full((2, 4), "a"), CORE, cache)
    with pytest.raises(ValueError, match=r"^g must have the shape of h_S, \(2, 4\), "
                                         r"got \(2, 3\)$"):
        rnn.state_gradients(np.zeros((2, 3)), CORE, cache)


@pytest.mark.parametrize("extra", [0, 1])
def test_truncation_at_or_beyond_the_length_passes_the_gradient_to_h0(extra):
    """truncate >= S is full BPTT: nothing is cut, not even before h0."""
    H, cache = rnn.forward(X, CORE, h0=np.ones((2, 4)))
    dH = RNG.normal(size=H.shape)
    grads, d0 = rnn.backward(dH, CORE, cache, truncate=5 + extra)
    full, d0_full = rnn.backward(dH, CORE, cache)
    np.testing.assert_array_equal(d0[0], d0_full[0])
    assert np.abs(d0[0]).max() > 0
    np.testing.assert_array_equal(grads["W_h"], full["W_h"])


def test_init_params_defaults_and_names():
    lstm = rnn.init_params(2, 3, "lstm")
    np.testing.assert_array_equal(lstm["b"], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])  # f open
    for key, value in rnn.init_params(2, 3, "lstm", rng=0).items():
        np.testing.assert_array_equal(lstm[key], value)  # the default seed is 0
    with pytest.raises(ValueError, match=r"^d_in must be an integer >= 1, got 0$"):
        rnn.init_params(0, 3)
    with pytest.raises(ValueError, match=r"^d_out must be an integer >= 1, got 0$"):
        rnn.init_params(2, 3, d_out=0)
    with pytest.raises(ValueError, match=r"^unknown cell 'gru'; known cells are 'vanilla', "
                                         r"'lstm'$"):
        rnn.init_params(2, 3, "gru")


def test_init_params_scales_and_seed():
    params = rnn.init_params(200, 100, d_out=200, rng=3)
    W_x, W_y = params["W_x"], params["W_y"]
    assert abs(W_x.mean()) < 0.005  # zero-mean Xavier-normal, std sqrt(2 / (d_in + d_h))
    assert W_x.std() == pytest.approx(np.sqrt(2.0 / 300), rel=0.02)
    assert abs(W_y.mean()) < 0.01  # zero-mean, std sqrt(1 / d_h)
    assert W_y.std() == pytest.approx(0.1, rel=0.02)
    np.testing.assert_array_equal(params["b_y"], np.zeros(200))
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(params["W_h"])), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(rnn.init_params(2, 3, rng=5)["W_x"],
                                  rnn.init_params(2, 3, rng=5)["W_x"])
    assert not np.array_equal(rnn.init_params(2, 3, rng=5)["W_x"],
                              rnn.init_params(2, 3)["W_x"])


@pytest.mark.parametrize("args, message", [
    ((X[:, :, 0], CORE), r"^X must be 3-D, got a 2-D array of shape \(5, 2\)$"),
    ((X[:0], CORE), r"^X must hold at least one time step, got shape \(0, 2, 3\) "
                    r"\(S, n, d_in\) with S = 0$"),
    ((X, [CORE]), r"^params must have the keys W_x, W_h, b, got list$"),
    ((X, {**CORE, "W_x": np.zeros(12)}), r"^W_x must be 2-D, got a 1-D array of shape "
                                          r"\(12,\)$"),
    ((X, {**CORE, "b": np.zeros((1, 4))}), r"^b must be 1-D, got a 2-D array of shape "
                                           r"\(1, 4\)$"),
])
def test_forward_messages_are_whole(args, message):
    with pytest.raises(ValueError, match=message):
        rnn.forward(*args)


def test_h0_must_be_a_matrix():
    with pytest.raises(ValueError, match=r"^h0 must be 2-D, got a 3-D array of shape "
                                         r"\(1, 2, 4\)$"):
        rnn.forward(X, CORE, h0=np.zeros((1, 2, 4)))
