"""Tests of ``bplib.checkpoint``: every schedule gives plain backprop's
gradients to 1e-12, for an RNN and for chapter 4's network; the memory and
step counts are what the text derives; revolve's count is optimal."""

import numpy as np
import pytest

from bplib import checkpoint, init, mlp, rnn

SCHEDULES = [("plain", {}), ("uniform", {}), ("uniform", {"every": 1}),
             ("uniform", {"every": 3}), ("uniform", {"every": 11}), ("revolve", {}),
             ("revolve", {"slots": 0}), ("revolve", {"slots": 1}), ("revolve", {"slots": 10})]


def _rnn(cell, S=11, n=3, d_in=2, d_h=4):
    rng = np.random.default_rng(1)
    X, T = rng.normal(size=(S, n, d_in)), rng.normal(size=(n, 1))
    params = rnn.init_params(d_in, d_h, cell, d_out=1, radius=1.2, rng=2)
    chain = checkpoint.rnn_chain(X, {k: params[k] for k in ("W_x", "W_h", "b")}, cell)

    def loss_grad(state):
        Y = state[0] @ params["W_y"] + params["b_y"]
        dY = (Y - T) / n
        return float(np.sum((Y - T) ** 2) / (2 * n)), (dY @ params["W_y"].T,) + tuple(
            np.zeros_like(s) for s in state[1:])
    return X, T, params, chain, loss_grad


@pytest.mark.parametrize("cell", list(rnn.CELLS))
@pytest.mark.parametrize("schedule, kwargs", SCHEDULES)
def test_rnn_gradients_equal_plain_bptt(cell, schedule, kwargs):
    X, T, params, chain, loss_grad = _rnn(cell)
    loss, grads = rnn.loss_and_gradients(X, T, params, cell)
    value, got, d0, cost = checkpoint.backprop(chain, chain.state0, loss_grad, schedule,
                                               **kwargs)
    assert value == loss
    for key in got:
        np.testing.assert_allclose(got[key], grads[key], rtol=0, atol=1e-12)
    assert cost.schedule == schedule and cost.peak_bytes > 0


@pytest.mark.parametrize("schedule, kwargs", SCHEDULES[:6] + [("revolve", {"slots": 2})])
def test_mlp_gradients_equal_plain_backprop(schedule, kwargs):
    rng = np.random.default_rng(0)
    sizes, acts = [3, 5, 4, 6, 5, 4, 3, 2, 5, 4, 3, 2], ["tanh", "relu", "sigmoid"] * 3 + [
        "softplus", "identity"]
    params = init.init_params(sizes, rng=1)
    X, T = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    loss, grads = mlp.loss_and_gradients(X, T, params, acts)
    chain = checkpoint.mlp_chain(params, acts)

    def loss_grad(A):
        return float(np.sum((A - T) ** 2) / 14), (A - T) / 7
    value, got, dX, cost = checkpoint.backprop(chain, X, loss_grad, schedule, **kwargs)
    assert value == pytest.approx(loss, abs=1e-15)
    for key in grads:
        np.testing.assert_allclose(got[key], grads[key], rtol=0, atol=1e-12)
    assert dX.shape == X.shape


def test_memory_and_steps_of_the_schedules():
    S, n, d_h = 100, 2, 3
    X = np.random.default_rng(0).normal(size=(S, n, 1))
    params = rnn.init_params(1, d_h, rng=0)
    chain = checkpoint.rnn_chain(X, params)
    record = n * d_h * 8  # a vanilla step keeps h_t only

    def lg(state):
        return 0.0, (np.ones_like(state[0]),)
    costs = {s: checkpoint.backprop(chain, chain.state0, lg, s)[3] for s in
             ("plain", "uniform", "revolve")}
    assert costs["plain"].peak_bytes == S * record
    assert costs["plain"].forward_steps == S
    # every = 10: 9 checkpoints + 10 records at the peak, 100 + 90 steps
    assert costs["uniform"].peak_bytes == (9 + 10) * record
    assert costs["uniform"].forward_steps == S + S - 10
    # revolve with 10 slots: at most 10 stored states and one record at a time
    assert costs["revolve"].peak_bytes <= (10 + 1) * record
    assert costs["revolve"].forward_steps == checkpoint.revolve_steps(S, 10)


def _dp(n_max, s_max):
    """The fewest forward steps by exhaustive dynamic programming."""
    C = np.zeros((n_max + 1, s_max + 1), dtype=np.int64)
    for s in range(s_max + 1):
        for n in range(1, n_max + 1):
            if n == 1:
                C[n, s] = 1
            elif s == 0:
                C[n, s] = n * (n + 1) // 2  # recompute from the start for each step
            else:
                m = np.arange(1, n)
                C[n, s] = (m + C[n - m, s - 1] + C[m, s]).min()
    return C


def test_revolve_count_is_the_optimum_and_is_reached():
    C = _dp(40, 5)
    for s in range(6):
        for n in range(1, 41):
            assert checkpoint.revolve_steps(n, s) == C[n, s], (n, s)
    X = np.random.default_rng(0).normal(size=(23, 2, 1))
    chain = checkpoint.rnn_chain(X, rnn.init_params(1, 2, rng=0))
    for s in (0, 1, 2, 3, 22):
        cost = checkpoint.backprop(chain, chain.state0,
                                   lambda h: (0.0, (np.ones_like(h[0]),)), "revolve",
                                   slots=s)[3]
        assert cost.forward_steps == (C[23, s] if s <= 5 else 2 * 23 - 1)


def test_a_single_step():
    X = np.ones((1, 2, 1))
    chain = checkpoint.rnn_chain(X, rnn.init_params(1, 2, rng=0))
    for schedule in checkpoint.SCHEDULES:
        loss, grads, _, cost = checkpoint.backprop(
            chain, chain.state0, lambda h: (1.0, (np.ones_like(h[0]),)), schedule)
        assert loss == 1.0 and cost.forward_steps == 1
